# ch01-gemm-gflops.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch01-gemm-gflops.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 800,500 noenhanced font 'Sans,10'
set output 'ch01-gemm-gflops.png'
set encoding utf8
# series '1 naive ijk': x y
$D1 << EOD
32 2.17043
64 2.02113
128 2.0573
256 2.3086
384 2.40048
512 1.54378
EOD
# series '2 reordered ikj': x y
$D2 << EOD
32 15.1809
64 21.4643
128 38.4897
256 49.6645
384 30.8215
512 31.3004
768 32.2602
1024 29.2059
EOD
# series '3 cache-blocked': x y
$D3 << EOD
32 18.9137
64 31.6332
128 40.3283
256 52.6356
384 37.3016
512 38.3174
768 35.9605
1024 28.7429
EOD
# series '4 SIMD kernel, 1 thread': x y
$D4 << EOD
32 56.3993
64 79.0781
128 93.0475
256 98.1939
384 108.375
512 96.6301
768 95.4671
1024 89.6159
EOD
# series '5 SIMD kernel, 2 threads': x y
$D5 << EOD
32 55.9181
64 79.0781
128 91.3434
256 180.726
384 201.843
512 188.54
768 205.823
1024 158.496
EOD
# series 'OpenBLAS, 2 threads': x y
$D6 << EOD
32 90.896
64 107.945
128 140.824
256 97.6555
384 195.658
512 197.259
768 203.715
1024 161.452
EOD
set title 'Matrix multiply: GFLOP/s against size' font ',12'
set xlabel 'M = K = N (log scale)'
set ylabel 'GFLOP/s (log scale)'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set xrange [27.8261:1177.6]
set yrange [1.02919:1234.94]
set grid lc rgb '#dddddd'
set xtics ('32' 32, '64' 64, '128' 128, '256' 256, '384' 384, '512' 512, '768' 768, '1024' 1024) rotate by 30 right
set key top left Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with linespoints lw 1.6 pt 7 ps 0.8 lc rgb '#1f77b4' title '1 naive ijk', \
     $D2 using 1:2 with linespoints lw 1.6 pt 5 ps 0.8 lc rgb '#ff7f0e' title '2 reordered ikj', \
     $D3 using 1:2 with linespoints lw 1.6 pt 9 ps 0.8 lc rgb '#2ca02c' title '3 cache-blocked', \
     $D4 using 1:2 with linespoints lw 1.6 pt 13 ps 0.8 lc rgb '#d62728' title '4 SIMD kernel, 1 thread', \
     $D5 using 1:2 with linespoints lw 1.6 pt 6 ps 0.8 lc rgb '#9467bd' title '5 SIMD kernel, 2 threads', \
     $D6 using 1:2 with lines lw 2 dt 2 lc rgb '#000000' title 'OpenBLAS, 2 threads'
unset output
