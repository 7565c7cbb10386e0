# ch12-bound-vs-k.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch12-bound-vs-k.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1000,560 noenhanced font 'Sans,10'
set output 'ch12-bound-vs-k.png'
set encoding utf8
# series 'elbo-200': x y ±error
$D1 << EOD
1 89.747 0.764796
10 87.0154 0.732113
100 85.8966 0.722968
1000 85.3642 0.716236
EOD
# series 'elbo-5': x y ±error
$D2 << EOD
1 100.259 0.829887
10 96.6283 0.800732
100 95.2476 0.791514
1000 94.4692 0.785682
EOD
# series 'iwae-k5-5': x y ±error
$D3 << EOD
1 101.251 0.842895
10 95.5281 0.804482
100 93.5538 0.788967
1000 92.7601 0.780475
EOD
# series 'wide-5': x y ±error
$D4 << EOD
1 99.2758 0.818371
10 95.7539 0.797572
100 94.3312 0.787745
1000 93.6387 0.782648
EOD
# series 'iaf-5': x y ±error
$D5 << EOD
1 97.5973 0.836163
10 94.6913 0.81338
100 93.5736 0.80491
1000 92.9549 0.798576
EOD
# series 'warmup-5': x y ±error
$D6 << EOD
1 100.582 0.812768
10 97.1115 0.791049
100 95.6176 0.781458
1000 94.937 0.775968
EOD
# series 'vamp-5': x y ±error
$D7 << EOD
1 100.377 0.844915
10 96.8221 0.82461
100 95.4363 0.814502
1000 94.6686 0.810133
EOD
set title '−L_k on the first 1000 test digits: the bound tightens as k grows' font ',12'
set xlabel 'importance samples k (log scale)'
set ylabel '−L_k (nats; lower is tighter)'
set logscale x
set format x '%g'
set grid lc rgb '#dddddd'
set key outside right top
plot $D1 using 1:2:3 with yerrorlines lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'elbo-200', \
     $D2 using 1:2:3 with yerrorlines lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'elbo-5', \
     $D3 using 1:2:3 with yerrorlines lw 2 pt 7 ps 1 lc rgb '#2ca02c' title 'iwae-k5-5', \
     $D4 using 1:2:3 with yerrorlines lw 2 pt 7 ps 1 lc rgb '#d62728' title 'wide-5', \
     $D5 using 1:2:3 with yerrorlines lw 2 pt 7 ps 1 lc rgb '#9467bd' title 'iaf-5', \
     $D6 using 1:2:3 with yerrorlines lw 2 pt 7 ps 1 lc rgb '#8c564b' title 'warmup-5', \
     $D7 using 1:2:3 with yerrorlines lw 2 pt 7 ps 1 lc rgb '#e377c2' title 'vamp-5'
unset output
