# bench-layers.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot bench-layers.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1400,560 noenhanced font 'Sans,10'
set output 'bench-layers.png'
set encoding utf8
# bars 'ours, forward': x, top, left, right, bottom, top, error
$D1 << EOD
-0.31875 0.12734 -0.425 -0.2125 0.002113 0.12734 0
0.68125 0.105687 0.575 0.7875 0.002113 0.105687 0
1.68125 0.035483 1.575 1.7875 0.002113 0.035483 0
2.68125 1.14825 2.575 2.7875 0.002113 1.14825 0
3.68125 0.052108 3.575 3.7875 0.002113 0.052108 0
4.68125 0.018528 4.575 4.7875 0.002113 0.018528 0
5.68125 0.125898 5.575 5.7875 0.002113 0.125898 0
6.68125 0.094211 6.575 6.7875 0.002113 0.094211 0
7.68125 0.020791 7.575 7.7875 0.002113 0.020791 0
8.68125 1.33334 8.575 8.7875 0.002113 1.33334 0
9.68125 0.106198 9.575 9.7875 0.002113 0.106198 0
10.6812 0.039058 10.575 10.7875 0.002113 0.039058 0
11.6812 0.203744 11.575 11.7875 0.002113 0.203744 0
12.6812 0.363763 12.575 12.7875 0.002113 0.363763 0
EOD
# bars 'ours, backward': x, top, left, right, bottom, top, error
$D2 << EOD
-0.10625 0.366076 -0.2125 -1.38778e-17 0.002113 0.366076 0
0.89375 0.102393 0.7875 1 0.002113 0.102393 0
1.89375 0.051927 1.7875 2 0.002113 0.051927 0
2.89375 3.89531 2.7875 3 0.002113 3.89531 0
3.89375 0.045508 3.7875 4 0.002113 0.045508 0
4.89375 0.028233 4.7875 5 0.002113 0.028233 0
5.89375 0.239347 5.7875 6 0.002113 0.239347 0
6.89375 0.302801 6.7875 7 0.002113 0.302801 0
7.89375 0.029444 7.7875 8 0.002113 0.029444 0
8.89375 2.64882 8.7875 9 0.002113 2.64882 0
9.89375 0.083986 9.7875 10 0.002113 0.083986 0
10.8937 0.059859 10.7875 11 0.002113 0.059859 0
11.8937 0.562639 11.7875 12 0.002113 0.562639 0
12.8937 0.004226 12.7875 13 0.002113 0.004226 0
EOD
# bars 'PyTorch, forward': x, top, left, right, bottom, top, error
$D3 << EOD
0.10625 1.934 1.38778e-17 0.2125 0.002113 1.934 0
1.10625 0.607 1 1.2125 0.002113 0.607 0
2.10625 0.047 2 2.2125 0.002113 0.047 0
3.10625 1.527 3 3.2125 0.002113 1.527 0
4.10625 0.301 4 4.2125 0.002113 0.301 0
5.10625 0.023 5 5.2125 0.002113 0.023 0
6.10625 0.23 6 6.2125 0.002113 0.23 0
7.10625 0.15 7 7.2125 0.002113 0.15 0
8.10625 0.023 8 8.2125 0.002113 0.023 0
9.10625 1.652 9 9.2125 0.002113 1.652 0
10.1062 0.582 10 10.2125 0.002113 0.582 0
11.1062 0.038 11 11.2125 0.002113 0.038 0
12.1062 2.132 12 12.2125 0.002113 2.132 0
13.1062 NaN 13 13.2125 0.002113 NaN 0
EOD
# bars 'PyTorch, backward': x, top, left, right, bottom, top, error
$D4 << EOD
0.31875 0.281 0.2125 0.425 0.002113 0.281 0
1.31875 0.359 1.2125 1.425 0.002113 0.359 0
2.31875 0.13 2.2125 2.425 0.002113 0.13 0
3.31875 3.437 3.2125 3.425 0.002113 3.437 0
4.31875 0.172 4.2125 4.425 0.002113 0.172 0
5.31875 0.072 5.2125 5.425 0.002113 0.072 0
6.31875 0.673 6.2125 6.425 0.002113 0.673 0
7.31875 0.353 7.2125 7.425 0.002113 0.353 0
8.31875 0.074 8.2125 8.425 0.002113 0.074 0
9.31875 2.907 9.2125 9.425 0.002113 2.907 0
10.3187 0.267 10.2125 10.425 0.002113 0.267 0
11.3187 0.161 11.2125 11.425 0.002113 0.161 0
12.3187 0.736 12.2125 12.425 0.002113 0.736 0
13.3187 NaN 13.2125 13.425 0.002113 NaN 0
EOD
set title 'Reference VAE, batch 128, batch-minor as in training, best of ≤ 30 runs per layer and direction; layers but the loss: ours 11.83 ms, torch 2.15.0+cu132 18.87 ms'."\n".'AMD EPYC (2 cores, AVX-512), 2 thread(s)' font ',12'
set ylabel 'milliseconds (log scale)'
set logscale y
set format y '%g'
set grid lc rgb '#dddddd'
set xtics ('enc.conv1' 0, 'enc.bn1' 1, 'enc.relu1' 2, 'enc.conv2' 3, 'enc.bn2' 4, 'enc.relu2' 5, 'enc.fc' 6, 'dec.fc' 7, 'dec.relu1' 8, 'dec.deconv1' 9, 'dec.bn1' 10, 'dec.relu2' 11, 'dec.deconv2' 12, 'loss' 13) rotate by 30 right
set key top right Left reverse opaque box lc rgb '#bbbbbb'
set yrange [0.002113:*]
set xrange [-0.6:13.6]
set style fill solid 0.85 border lc rgb '#333333'
set grid noxtics
plot $D1 using 1:2:3:4:5:6 with boxxyerror lc rgb '#1f77b4' title 'ours, forward', \
     $D2 using 1:2:3:4:5:6 with boxxyerror lc rgb '#aec7e8' title 'ours, backward', \
     $D3 using 1:2:3:4:5:6 with boxxyerror lc rgb '#d62728' title 'PyTorch, forward', \
     $D4 using 1:2:3:4:5:6 with boxxyerror lc rgb '#ff9896' title 'PyTorch, backward'
unset output
