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
32 2.04563
64 2.00157
128 2.60291
256 2.35315
384 2.43924
512 1.49603
EOD
# series '2 reordered ikj': x y
$D2 << EOD
32 14.9762
64 20.2992
128 42.4108
256 50.6534
384 31.6016
512 31.3747
768 32.0077
1024 31.7752
EOD
# series '3 cache-blocked': x y
$D3 << EOD
32 20.3212
64 26.2669
128 50.2649
256 54.3386
384 37.9076
512 38.4712
768 37.8326
1024 28.2721
EOD
# series '4 SIMD kernel, 1 thread': x y
$D4 << EOD
32 54.5225
64 73.7292
128 102.802
256 108.877
384 108.66
512 108.45
768 99.5609
1024 92.6748
EOD
# series '5 SIMD kernel, 2 threads': x y
$D5 << EOD
32 54.9799
64 74.3565
128 183.446
256 197.435
384 201.842
512 195.102
768 206.598
1024 185.903
EOD
# series 'OpenBLAS, 2 threads': x y
$D6 << EOD
32 90.896
64 107.282
128 144.766
256 190.801
384 200.71
512 203.345
768 207.591
1024 197.217
EOD
set title 'Matrix multiply: GFLOP/s against size' font ',12'
set xlabel 'M = K = N (log scale)'
set ylabel 'GFLOP/s (log scale)'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set xrange [27.8261:1177.6]
set yrange [0.997352:1245.54]
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
