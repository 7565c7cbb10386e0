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
32 3.25726
64 2.64038
128 2.60567
256 2.42243
384 2.44741
512 1.46549
EOD
# series '2 reordered ikj': x y
$D2 << EOD
32 16
64 28.8276
128 42.9546
256 29.5673
384 33.7468
512 31.4184
768 31.9302
1024 31.1097
EOD
# series '3 cache-blocked': x y
$D3 << EOD
32 23.3723
64 36.6328
128 50.8505
256 43.838
384 49.2746
512 38.7253
768 37.735
1024 33.6102
EOD
# series '4 SIMD kernel, 1 thread': x y
$D4 << EOD
32 68.1247
64 79.2095
128 102.802
256 108.397
384 108.763
512 108.269
768 102.368
1024 97.0706
EOD
# series '5 SIMD kernel, 2 threads': x y
$D5 << EOD
32 68.1956
64 76.2047
128 101.727
256 139.04
384 132.179
512 159.374
768 170.226
1024 175.77
EOD
# series 'OpenBLAS, 2 threads': x y
$D6 << EOD
32 88.4426
64 107.282
128 85.5579
256 102.229
384 130.412
512 148.188
768 174.417
1024 180.692
EOD
set title 'Matrix multiply: GFLOP/s against size' font ',12'
set xlabel 'M = K = N (log scale)'
set ylabel 'GFLOP/s (log scale)'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set xrange [27.8261:1177.6]
set yrange [0.976993:1084.15]
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
