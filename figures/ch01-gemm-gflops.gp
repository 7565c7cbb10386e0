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
32 3.25888
64 3.05807
128 2.60584
256 2.17634
384 2.38436
512 1.45007
EOD
# series '2 reordered ikj': x y
$D2 << EOD
32 15.6935
64 21.9864
128 42.4456
256 48.0071
384 31.987
512 30.8691
768 32.2281
1024 32.2062
EOD
# series '3 cache-blocked': x y
$D3 << EOD
32 22.724
64 32.9037
128 50.3198
256 53.012
384 37.5293
512 38.9222
768 38.014
1024 33.5147
EOD
# series '4 SIMD kernel, 1 thread': x y
$D4 << EOD
32 68.1956
64 88.742
128 103.004
256 108.003
384 108.051
512 109.212
768 106.019
1024 102.994
EOD
# series '5 SIMD kernel, 2 threads': x y
$D5 << EOD
32 68.1956
64 88.742
128 144.417
256 196.507
384 132.541
512 162.028
768 162.309
1024 202.886
EOD
# series 'OpenBLAS, 2 threads': x y
$D6 << EOD
32 100.67
64 114.573
128 140.824
256 191.062
384 131.613
512 158.789
768 175.053
1024 199.634
EOD
set title 'Matrix multiply: GFLOP/s against size' font ',12'
set xlabel 'M = K = N (log scale)'
set ylabel 'GFLOP/s (log scale)'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set xrange [27.8261:1177.6]
set yrange [0.966715:1217.32]
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
