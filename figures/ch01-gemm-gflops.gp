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
32 1.9023
64 2.19216
128 1.89056
256 2.43949
384 2.44122
512 1.52274
EOD
# series '2 reordered ikj': x y
$D2 << EOD
32 15.2516
64 17.1701
128 27.7612
256 50.6044
384 32.0934
512 30.8643
768 32.1588
1024 31.4545
EOD
# series '3 cache-blocked': x y
$D3 << EOD
32 20.9113
64 23.5709
128 31.1243
256 54.5128
384 37.5745
512 37.7077
768 36.5004
1024 31.6285
EOD
# series '4 SIMD kernel, 1 thread': x y
$D4 << EOD
32 44.8263
64 69.525
128 85.9277
256 108.531
384 108.593
512 104.793
768 99.7572
1024 96.3511
EOD
# series '5 SIMD kernel, 2 threads': x y
$D5 << EOD
32 44.5217
64 69.1582
128 125.653
256 180.336
384 197.682
512 190.299
768 178.347
1024 202.356
EOD
# series 'OpenBLAS, 2 threads': x y
$D6 << EOD
32 87.265
64 97.8514
128 128.707
256 174.376
384 199.732
512 196.265
768 201.846
1024 196.211
EOD
set title 'Matrix multiply: GFLOP/s against size' font ',12'
set xlabel 'M = K = N (log scale)'
set ylabel 'GFLOP/s (log scale)'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set xrange [27.8261:1177.6]
set yrange [1.01516:1214.14]
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
