# ch10-leave-out.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch10-leave-out.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1600,620 noenhanced font 'Sans,10'
set output 'ch10-leave-out.png'
set encoding utf8
set multiplot layout 1,2 title 'Leave one digit out: can a model of nine digits spot the tenth?' font ',13'

# ---- panel 1 of 2 ----
# series 'neg-elbo': x y
$D1 << EOD
0 0.892508
1 0.270526
2 0.915116
3 0.792006
4 0.599856
5 0.761211
6 0.835061
7 0.578491
8 0.698127
9 0.410645
EOD
# series 'iw-nll': x y
$D2 << EOD
0 0.895071
1 0.271152
2 0.911864
3 0.792764
4 0.599607
5 0.761051
6 0.8365
7 0.575334
8 0.696028
9 0.411127
EOD
# series 'reconstruction': x y
$D3 << EOD
0 0.893084
1 0.273984
2 0.915403
3 0.792697
4 0.599451
5 0.762265
6 0.836434
7 0.576853
8 0.698762
9 0.410669
EOD
# series 'kl': x y
$D4 << EOD
0 0.341721
1 0.452395
2 0.380012
3 0.275497
4 0.443152
5 0.273573
6 0.308156
7 0.525134
8 0.32594
9 0.51808
EOD
# series 'mahalanobis': x y
$D5 << EOD
0 0.434594
1 0.255314
2 0.346231
3 0.412121
4 0.299585
5 0.220187
6 0.309576
7 0.490998
8 0.250211
9 0.278474
EOD
# series 'complexity': x y
$D6 << EOD
0 0.643007
1 0.986732
2 0.852807
3 0.71864
4 0.582024
5 0.698669
6 0.73803
7 0.839435
8 0.326384
9 0.375922
EOD
# series 'typicality-m1': x y
$D7 << EOD
0 0.796183
1 0.47367
2 0.822476
3 0.649013
4 0.479018
5 0.582842
6 0.689615
7 0.520713
8 0.503746
9 0.451827
EOD
# series 'chance': x y
$D8 << EOD
-0.3 0.5
9.3 0.5
EOD
set title '2 latent dimensions' font ',12'
set xlabel 'held-out digit'
set ylabel 'AUROC (held-out digit against the other nine)'
set xrange [-0.3:9.3]
set yrange [-0.02:1.02]
set grid lc rgb '#dddddd'
set xtics ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '6' 6, '7' 7, '8' 8, '9' 9)
unset key
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'neg-elbo', \
     $D2 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'iw-nll', \
     $D3 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#2ca02c' title 'reconstruction', \
     $D4 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#d62728' title 'kl', \
     $D5 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#9467bd' title 'mahalanobis', \
     $D6 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#8c564b' title 'complexity', \
     $D7 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#e377c2' title 'typicality-m1', \
     $D8 using 1:2 with lines lw 1 dt 2 lc rgb '#888888' title 'chance'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'neg-elbo': x y
$D9 << EOD
0 0.859982
1 0.0400699
2 0.867123
3 0.759775
4 0.721241
5 0.795857
6 0.796796
7 0.470436
8 0.873463
9 0.51116
EOD
# series 'iw-nll': x y
$D10 << EOD
0 0.860195
1 0.0340903
2 0.868062
3 0.7544
4 0.708251
5 0.793286
6 0.796968
7 0.452177
8 0.876233
9 0.50299
EOD
# series 'reconstruction': x y
$D11 << EOD
0 0.825911
1 0.0397921
2 0.858674
3 0.761084
4 0.732371
5 0.800555
6 0.78839
7 0.459205
8 0.882643
9 0.531494
EOD
# series 'kl': x y
$D12 << EOD
0 0.928111
1 0.229488
2 0.774181
3 0.643648
4 0.536811
5 0.606796
6 0.73219
7 0.584728
8 0.531718
9 0.411418
EOD
# series 'mahalanobis': x y
$D13 << EOD
0 0.922461
1 0.745543
2 0.866999
3 0.719248
4 0.662644
5 0.732209
6 0.84676
7 0.79242
8 0.563257
9 0.404722
EOD
# series 'complexity': x y
$D14 << EOD
0 0.313349
1 0.989337
2 0.662119
3 0.583835
4 0.625963
5 0.635452
6 0.602467
7 0.785395
8 0.399383
9 0.478134
EOD
# series 'typicality-m1': x y
$D15 << EOD
0 0.729794
1 0.904865
2 0.751224
3 0.582364
4 0.539726
5 0.637122
6 0.635824
7 0.440319
8 0.756826
9 0.390531
EOD
# series 'chance': x y
$D16 << EOD
-0.3 0.5
9.3 0.5
EOD
set title '20 latent dimensions' font ',12'
set xlabel 'held-out digit'
set ylabel 'AUROC (held-out digit against the other nine)'
set xrange [-0.3:9.3]
set yrange [-0.02:1.02]
set grid lc rgb '#dddddd'
set xtics ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '6' 6, '7' 7, '8' 8, '9' 9)
set key outside right top
plot $D9 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'neg-elbo', \
     $D10 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'iw-nll', \
     $D11 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#2ca02c' title 'reconstruction', \
     $D12 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#d62728' title 'kl', \
     $D13 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#9467bd' title 'mahalanobis', \
     $D14 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#8c564b' title 'complexity', \
     $D15 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#e377c2' title 'typicality-m1', \
     $D16 using 1:2 with lines lw 1 dt 2 lc rgb '#888888' title 'chance'
unset multiplot
unset output
