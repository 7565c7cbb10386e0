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
32 3.24436
64 2.97585
128 2.53442
256 2.10692
384 2.17548
512 1.53693
EOD
# series '2 reordered ikj': x y
$D2 << EOD
32 15.8453
64 21.1953
128 42.0237
256 38.2238
384 30.9922
512 30.7648
768 31.8133
1024 31.6295
EOD
# series '3 cache-blocked': x y
$D3 << EOD
32 23.1986
64 31.6332
128 49.5693
256 45.4628
384 36.7703
512 38.3672
768 36.7536
1024 30.7519
EOD
# series '4 SIMD kernel, 1 thread': x y
$D4 << EOD
32 68.9127
64 85.2639
128 101.211
256 102.361
384 94.5573
512 104.407
768 95.8889
1024 94.5033
EOD
# series '5 SIMD kernel, 2 threads': x y
$D5 << EOD
32 68.1956
64 85.1255
128 100.434
256 180.872
384 182.942
512 189.289
768 198.393
1024 183.491
EOD
# series 'OpenBLAS, 2 threads': x y
$D6 << EOD
32 93.4893
64 109.753
128 81.1953
256 179.016
384 188.788
512 194.391
768 196.62
1024 182.968
EOD
set title 'Matrix multiply: GFLOP/s against size' font ',12'
set xlabel 'M = K = N (log scale)'
set ylabel 'GFLOP/s (log scale)'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set xrange [27.8261:1177.6]
set yrange [1.02462:1190.36]
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
