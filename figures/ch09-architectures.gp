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
set multiplot layout 1,3 title 'The networks: NLL (k = 100, first test digits) against three costs, one point per model, 2 epochs each' font ',13'

# ---- panel 1 of 3 ----
# series 'mlp': x y
$D1 << EOD
7.79588 125.391
EOD
# point labels of series 'mlp': x y label
$D2 << EOD
7.79588 125.391 "mlp"
EOD
# series 'reference': x y
$D3 << EOD
33.6011 102.283
EOD
# point labels of series 'reference': x y label
$D4 << EOD
33.6011 102.283 "reference"
EOD
# series 'deep': x y
$D5 << EOD
103.56 97.5473
EOD
# point labels of series 'deep': x y label
$D6 << EOD
103.56 97.5473 "deep"
EOD
# series 'wide': x y
$D7 << EOD
78.0332 100.528
EOD
# point labels of series 'wide': x y label
$D8 << EOD
78.0332 100.528 "wide"
EOD
# series 'no-bn': x y
$D9 << EOD
27.1114 105.88
EOD
# point labels of series 'no-bn': x y label
$D10 << EOD
27.1114 105.88 "no-bn"
EOD
# series 'elu': x y
$D11 << EOD
26.8688 107.308
EOD
# point labels of series 'elu': x y label
$D12 << EOD
26.8688 107.308 "elu"
EOD
# series 'swish': x y
$D13 << EOD
28.5634 102.332
EOD
# point labels of series 'swish': x y label
$D14 << EOD
28.5634 102.332 "swish"
EOD
# series 'upsample': x y
$D15 << EOD
62.6137 99.8072
EOD
# point labels of series 'upsample': x y label
$D16 << EOD
62.6137 99.8072 "upsample"
EOD
set title 'against seconds per epoch (as measured when trained)' font ',12'
set xlabel 'seconds per epoch'
set ylabel 'NLL [nats]'
set xrange [0:129.45]
set grid lc rgb '#dddddd'
unset key
plot $D1 using 1:2 with points pt 7 ps 1.5 lc rgb '#1f77b4' title 'mlp', \
     $D2 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#1f77b4' notitle, \
     $D3 using 1:2 with points pt 7 ps 1.5 lc rgb '#ff7f0e' title 'reference', \
     $D4 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#ff7f0e' notitle, \
     $D5 using 1:2 with points pt 7 ps 1.5 lc rgb '#2ca02c' title 'deep', \
     $D6 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#2ca02c' notitle, \
     $D7 using 1:2 with points pt 7 ps 1.5 lc rgb '#d62728' title 'wide', \
     $D8 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#d62728' notitle, \
     $D9 using 1:2 with points pt 7 ps 1.5 lc rgb '#9467bd' title 'no-bn', \
     $D10 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#9467bd' notitle, \
     $D11 using 1:2 with points pt 7 ps 1.5 lc rgb '#8c564b' title 'elu', \
     $D12 using 1:2:3 with labels right offset char -0.9,0.5 font ',11' tc rgb '#8c564b' notitle, \
     $D13 using 1:2 with points pt 7 ps 1.5 lc rgb '#e377c2' title 'swish', \
     $D14 using 1:2:3 with labels right offset char -0.9,0.5 font ',11' tc rgb '#e377c2' notitle, \
     $D15 using 1:2 with points pt 7 ps 1.5 lc rgb '#7f7f7f' title 'upsample', \
     $D16 using 1:2:3 with labels right offset char -0.9,0.5 font ',11' tc rgb '#7f7f7f' notitle

# ---- panel 2 of 3 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'mlp': x y
$D17 << EOD
1082680 125.391
EOD
# point labels of series 'mlp': x y label
$D18 << EOD
1082680 125.391 "mlp"
EOD
# series 'reference': x y
$D19 << EOD
258281 102.283
EOD
# point labels of series 'reference': x y label
$D20 << EOD
258281 102.283 "reference"
EOD
# series 'deep': x y
$D21 << EOD
290793 97.5473
EOD
# point labels of series 'deep': x y label
$D22 << EOD
290793 97.5473 "deep"
EOD
# series 'wide': x y
$D23 << EOD
647593 100.528
EOD
# point labels of series 'wide': x y label
$D24 << EOD
647593 100.528 "wide"
EOD
# series 'no-bn': x y
$D25 << EOD
258025 105.88
EOD
# point labels of series 'no-bn': x y label
$D26 << EOD
258025 105.88 "no-bn"
EOD
# series 'elu': x y
$D27 << EOD
258281 107.308
EOD
# point labels of series 'elu': x y label
$D28 << EOD
258281 107.308 "elu"
EOD
# series 'swish': x y
$D29 << EOD
258281 102.332
EOD
# point labels of series 'swish': x y label
$D30 << EOD
258281 102.332 "swish"
EOD
# series 'upsample': x y
$D31 << EOD
243721 99.8072
EOD
# point labels of series 'upsample': x y label
$D32 << EOD
243721 99.8072 "upsample"
EOD
set title 'against parameters' font ',12'
set xlabel 'parameters (log scale)'
set ylabel 'NLL [nats]'
set logscale x
set format x '%g'
set xrange [180872:1.45889e+06]
set grid lc rgb '#dddddd'
unset key
plot $D17 using 1:2 with points pt 7 ps 1.5 lc rgb '#1f77b4' title 'mlp', \
     $D18 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#1f77b4' notitle, \
     $D19 using 1:2 with points pt 7 ps 1.5 lc rgb '#ff7f0e' title 'reference', \
     $D20 using 1:2:3 with labels right offset char -0.9,0.5 font ',11' tc rgb '#ff7f0e' notitle, \
     $D21 using 1:2 with points pt 7 ps 1.5 lc rgb '#2ca02c' title 'deep', \
     $D22 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#2ca02c' notitle, \
     $D23 using 1:2 with points pt 7 ps 1.5 lc rgb '#d62728' title 'wide', \
     $D24 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#d62728' notitle, \
     $D25 using 1:2 with points pt 7 ps 1.5 lc rgb '#9467bd' title 'no-bn', \
     $D26 using 1:2:3 with labels right offset char -0.9,0.5 font ',11' tc rgb '#9467bd' notitle, \
     $D27 using 1:2 with points pt 7 ps 1.5 lc rgb '#8c564b' title 'elu', \
     $D28 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#8c564b' notitle, \
     $D29 using 1:2 with points pt 7 ps 1.5 lc rgb '#e377c2' title 'swish', \
     $D30 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#e377c2' notitle, \
     $D31 using 1:2 with points pt 7 ps 1.5 lc rgb '#7f7f7f' title 'upsample', \
     $D32 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#7f7f7f' notitle

# ---- panel 3 of 3 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'mlp': x y
$D33 << EOD
6.48192 125.391
EOD
# point labels of series 'mlp': x y label
$D34 << EOD
6.48192 125.391 "mlp"
EOD
# series 'reference': x y
$D35 << EOD
21.6008 102.283
EOD
# point labels of series 'reference': x y label
$D36 << EOD
21.6008 102.283 "reference"
EOD
# series 'deep': x y
$D37 << EOD
61.6412 97.5473
EOD
# point labels of series 'deep': x y label
$D38 << EOD
61.6412 97.5473 "deep"
EOD
# series 'wide': x y
$D39 << EOD
81.7367 100.528
EOD
# point labels of series 'wide': x y label
$D40 << EOD
81.7367 100.528 "wide"
EOD
# series 'no-bn': x y
$D41 << EOD
21.6008 105.88
EOD
# point labels of series 'no-bn': x y label
$D42 << EOD
21.6008 105.88 "no-bn"
EOD
# series 'elu': x y
$D43 << EOD
21.6008 107.308
EOD
# point labels of series 'elu': x y label
$D44 << EOD
21.6008 107.308 "elu"
EOD
# series 'swish': x y
$D45 << EOD
21.6008 102.332
EOD
# point labels of series 'swish': x y label
$D46 << EOD
21.6008 102.332 "swish"
EOD
# series 'upsample': x y
$D47 << EOD
34.3956 99.8072
EOD
# point labels of series 'upsample': x y label
$D48 << EOD
34.3956 99.8072 "upsample"
EOD
set title 'against FLOPs' font ',12'
set xlabel 'MFLOP per image, training step (log scale)'
set ylabel 'NLL [nats]'
set logscale x
set format x '%g'
set xrange [3.90446:135.694]
set grid lc rgb '#dddddd'
unset key
plot $D33 using 1:2 with points pt 7 ps 1.5 lc rgb '#1f77b4' title 'mlp', \
     $D34 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#1f77b4' notitle, \
     $D35 using 1:2 with points pt 7 ps 1.5 lc rgb '#ff7f0e' title 'reference', \
     $D36 using 1:2:3 with labels right offset char -0.9,0.5 font ',11' tc rgb '#ff7f0e' notitle, \
     $D37 using 1:2 with points pt 7 ps 1.5 lc rgb '#2ca02c' title 'deep', \
     $D38 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#2ca02c' notitle, \
     $D39 using 1:2 with points pt 7 ps 1.5 lc rgb '#d62728' title 'wide', \
     $D40 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#d62728' notitle, \
     $D41 using 1:2 with points pt 7 ps 1.5 lc rgb '#9467bd' title 'no-bn', \
     $D42 using 1:2:3 with labels right offset char -0.9,0.5 font ',11' tc rgb '#9467bd' notitle, \
     $D43 using 1:2 with points pt 7 ps 1.5 lc rgb '#8c564b' title 'elu', \
     $D44 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#8c564b' notitle, \
     $D45 using 1:2 with points pt 7 ps 1.5 lc rgb '#e377c2' title 'swish', \
     $D46 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#e377c2' notitle, \
     $D47 using 1:2 with points pt 7 ps 1.5 lc rgb '#7f7f7f' title 'upsample', \
     $D48 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#7f7f7f' notitle
unset multiplot
unset output
