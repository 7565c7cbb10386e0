# ch10-typicality.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch10-typicality.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.
# figure-lint waives axis-range: AUROC on its whole scale from 0 to 1, so that chance (0.5) sits in the middle

set terminal pngcairo size 1000,560 noenhanced font 'Sans,10'
set output 'ch10-typicality.png'
set encoding utf8
# series 'mnist → fashion': x y
$D1 << EOD
1 0.999616
2 1
5 1
10 1
EOD
# series 'mnist → noise': x y
$D2 << EOD
1 1
2 1
5 1
10 1
EOD
# series 'mnist → blank': x y
$D3 << EOD
1 0.998456
2 1
5 1
10 1
EOD
# series 'mnist → constant': x y
$D4 << EOD
1 0.99232
2 0.999999
5 1
10 1
EOD
# series 'mnist → inverted': x y
$D5 << EOD
1 1
2 1
5 1
10 1
EOD
# series 'mnist → mirrored': x y
$D6 << EOD
1 0.739297
2 0.766035
5 0.895344
10 0.966125
EOD
# series 'mnist → rotated': x y
$D7 << EOD
1 0.828962
2 0.891129
5 0.98955
10 0.999875
EOD
# series 'fashion → mnist': x y
$D8 << EOD
1 0.532088
2 0.714206
5 0.893912
10 0.975575
EOD
set title 'The typicality test: AUROC over batches of M images from one source' font ',12'
set xlabel 'batch size M (log scale)'
set ylabel 'AUROC'
set logscale x
set format x '%g'
set yrange [0:1.02]
set grid lc rgb '#dddddd'
set xtics ('1' 1, '2' 2, '5' 5, '10' 10)
set key outside right top
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'mnist → fashion', \
     $D2 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'mnist → noise', \
     $D3 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#2ca02c' title 'mnist → blank', \
     $D4 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#d62728' title 'mnist → constant', \
     $D5 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#9467bd' title 'mnist → inverted', \
     $D6 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#8c564b' title 'mnist → mirrored', \
     $D7 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#e377c2' title 'mnist → rotated', \
     $D8 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#7f7f7f' title 'fashion → mnist'
unset output
