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
32 3.27026
64 3.05788
128 2.60552
256 2.42239
384 2.45405
512 1.44405
EOD
# series '2 reordered ikj': x y
$D2 << EOD
32 21.389
64 21.8408
128 27.1178
256 29.8404
384 33.7355
512 31.081
768 31.6977
1024 31.7977
EOD
# series '3 cache-blocked': x y
$D3 << EOD
32 27.971
64 33.5137
128 37.744
256 43.0859
384 48.5166
512 38.7042
768 38.1387
1024 33.4085
EOD
# series '4 SIMD kernel, 1 thread': x y
$D4 << EOD
32 68.1956
64 88.727
128 102.799
256 108.77
384 108.669
512 109.126
768 107.8
1024 102.446
EOD
# series '5 SIMD kernel, 2 threads': x y
$D5 << EOD
32 68.8403
64 88.5771
128 102.173
256 197.621
384 201.572
512 210.056
768 211.183
1024 210.161
EOD
# series 'OpenBLAS, 2 threads': x y
$D6 << EOD
32 102.24
64 113.827
128 134.446
256 188.545
384 200.237
512 204.888
768 210.763
1024 203.397
EOD
set title 'Matrix multiply: GFLOP/s against size' font ',12'
set xlabel 'M = K = N (log scale)'
set ylabel 'GFLOP/s (log scale)'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set xrange [27.8261:1177.6]
set yrange [0.9627:1267.1]
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
