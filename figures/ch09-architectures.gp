# ch09-architectures.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch09-architectures.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1900,560 noenhanced font 'Sans,10'
set output 'ch09-architectures.png'
set encoding utf8
set multiplot layout 1,3 title 'The networks: NLL (k = 100, first test digits) against three costs, one point per model' font ',13'

# ---- panel 1 of 3 ----
# series 'mlp': x y
$D1 << EOD
2.61815 125.391
EOD
# series 'reference': x y
$D2 << EOD
8.8735 102.283
EOD
# series 'deep': x y
$D3 << EOD
39.2914 97.5473
EOD
# series 'wide': x y
$D4 << EOD
21.7931 100.528
EOD
# series 'no-bn': x y
$D5 << EOD
8.20495 105.88
EOD
# series 'elu': x y
$D6 << EOD
22.4316 107.309
EOD
# series 'swish': x y
$D7 << EOD
28.6732 102.333
EOD
# series 'upsample': x y
$D8 << EOD
25.2569 99.8072
EOD
set title 'against seconds per epoch (as measured when trained)' font ',12'
set xlabel 'seconds per epoch'
set ylabel 'NLL [nats]'
set grid lc rgb '#dddddd'
unset key
plot $D1 using 1:2 with points pt 7 ps 1.5 lc rgb '#1f77b4' title 'mlp', \
     $D2 using 1:2 with points pt 7 ps 1.5 lc rgb '#ff7f0e' title 'reference', \
     $D3 using 1:2 with points pt 7 ps 1.5 lc rgb '#2ca02c' title 'deep', \
     $D4 using 1:2 with points pt 7 ps 1.5 lc rgb '#d62728' title 'wide', \
     $D5 using 1:2 with points pt 7 ps 1.5 lc rgb '#9467bd' title 'no-bn', \
     $D6 using 1:2 with points pt 7 ps 1.5 lc rgb '#8c564b' title 'elu', \
     $D7 using 1:2 with points pt 7 ps 1.5 lc rgb '#e377c2' title 'swish', \
     $D8 using 1:2 with points pt 7 ps 1.5 lc rgb '#7f7f7f' title 'upsample'

# ---- panel 2 of 3 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'mlp': x y
$D9 << EOD
1082680 125.391
EOD
# series 'reference': x y
$D10 << EOD
258281 102.283
EOD
# series 'deep': x y
$D11 << EOD
290793 97.5473
EOD
# series 'wide': x y
$D12 << EOD
647593 100.528
EOD
# series 'no-bn': x y
$D13 << EOD
258025 105.88
EOD
# series 'elu': x y
$D14 << EOD
258281 107.309
EOD
# series 'swish': x y
$D15 << EOD
258281 102.333
EOD
# series 'upsample': x y
$D16 << EOD
243721 99.8072
EOD
set title 'against parameters' font ',12'
set xlabel 'parameters (log scale)'
set ylabel 'NLL [nats]'
set logscale x
set format x '%g'
set grid lc rgb '#dddddd'
unset key
plot $D9 using 1:2 with points pt 7 ps 1.5 lc rgb '#1f77b4' title 'mlp', \
     $D10 using 1:2 with points pt 7 ps 1.5 lc rgb '#ff7f0e' title 'reference', \
     $D11 using 1:2 with points pt 7 ps 1.5 lc rgb '#2ca02c' title 'deep', \
     $D12 using 1:2 with points pt 7 ps 1.5 lc rgb '#d62728' title 'wide', \
     $D13 using 1:2 with points pt 7 ps 1.5 lc rgb '#9467bd' title 'no-bn', \
     $D14 using 1:2 with points pt 7 ps 1.5 lc rgb '#8c564b' title 'elu', \
     $D15 using 1:2 with points pt 7 ps 1.5 lc rgb '#e377c2' title 'swish', \
     $D16 using 1:2 with points pt 7 ps 1.5 lc rgb '#7f7f7f' title 'upsample'

# ---- panel 3 of 3 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'mlp': x y
$D17 << EOD
6.48192 125.391
EOD
# series 'reference': x y
$D18 << EOD
21.6008 102.283
EOD
# series 'deep': x y
$D19 << EOD
61.6412 97.5473
EOD
# series 'wide': x y
$D20 << EOD
81.7367 100.528
EOD
# series 'no-bn': x y
$D21 << EOD
21.6008 105.88
EOD
# series 'elu': x y
$D22 << EOD
21.6008 107.309
EOD
# series 'swish': x y
$D23 << EOD
21.6008 102.333
EOD
# series 'upsample': x y
$D24 << EOD
34.3956 99.8072
EOD
set title 'against FLOPs' font ',12'
set xlabel 'MFLOP per image, training step (log scale)'
set ylabel 'NLL [nats]'
set logscale x
set format x '%g'
set grid lc rgb '#dddddd'
set key outside right top
plot $D17 using 1:2 with points pt 7 ps 1.5 lc rgb '#1f77b4' title 'mlp', \
     $D18 using 1:2 with points pt 7 ps 1.5 lc rgb '#ff7f0e' title 'reference', \
     $D19 using 1:2 with points pt 7 ps 1.5 lc rgb '#2ca02c' title 'deep', \
     $D20 using 1:2 with points pt 7 ps 1.5 lc rgb '#d62728' title 'wide', \
     $D21 using 1:2 with points pt 7 ps 1.5 lc rgb '#9467bd' title 'no-bn', \
     $D22 using 1:2 with points pt 7 ps 1.5 lc rgb '#8c564b' title 'elu', \
     $D23 using 1:2 with points pt 7 ps 1.5 lc rgb '#e377c2' title 'swish', \
     $D24 using 1:2 with points pt 7 ps 1.5 lc rgb '#7f7f7f' title 'upsample'
unset multiplot
unset output
