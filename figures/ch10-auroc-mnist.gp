# ch10-auroc-mnist.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch10-auroc-mnist.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1100,560 noenhanced font 'Sans,10'
set output 'ch10-auroc-mnist.png'
set encoding utf8
# series 'neg-elbo': x y
$D1 << EOD
0 0.999815
1 1
2 0.00059025
3 0.990151
4 1
5 0.779432
6 0.871496
EOD
# series 'iw-nll': x y
$D2 << EOD
0 0.999826
1 1
2 0
3 0.989642
4 1
5 0.767542
6 0.858723
EOD
# series 'reconstruction': x y
$D3 << EOD
0 0.999874
1 1
2 0.000707
3 0.991847
4 1
5 0.776114
6 0.855851
EOD
# series 'kl': x y
$D4 << EOD
0 0.698223
1 0.104263
2 0.0275
3 0.594643
4 1
5 0.657577
6 0.851571
EOD
# series 'mahalanobis': x y
$D5 << EOD
0 0.68213
1 0.502165
2 0.625
3 0.746542
4 1
5 0.724622
6 0.897763
EOD
# series 'likelihood-ratio': x y
$D6 << EOD
0 0.999993
1 1
2 0.00433625
3 0.997076
4 1
5 0.654653
6 0.70928
EOD
# series 'complexity': x y
$D7 << EOD
0 0.997061
1 1
2 1
3 0.999971
4 1
5 0.67692
6 0.774338
EOD
# series 'chance': x y
$D8 << EOD
-0.3 0.5
6.3 0.5
EOD
set title 'The model of digits: AUROC of each score against each set it never saw' font ',12'
set xlabel 'out-of-distribution set'
set ylabel 'AUROC (1: perfect, 0.5: chance, 0: reversed)'
set xrange [-0.3:6.3]
set yrange [-0.02:1.02]
set grid lc rgb '#dddddd'
set xtics ('fashion' 0, 'noise' 1, 'blank' 2, 'constant' 3, 'inverted' 4, 'mirrored' 5, 'rotated' 6) rotate by 30 right
set key outside right top
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'neg-elbo', \
     $D2 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'iw-nll', \
     $D3 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#2ca02c' title 'reconstruction', \
     $D4 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#d62728' title 'kl', \
     $D5 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#9467bd' title 'mahalanobis', \
     $D6 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#8c564b' title 'likelihood-ratio', \
     $D7 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#e377c2' title 'complexity', \
     $D8 using 1:2 with lines lw 1 dt 2 lc rgb '#888888' title 'chance'
unset output
