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
32 4.29097
64 4.26205
128 2.61157
256 2.46615
384 2.21944
512 1.64392
EOD
# series '2 reordered ikj': x y
$D2 << EOD
32 24.4173
64 21.4731
128 27.4374
256 35.5782
384 37.0328
512 35.8238
768 34.5944
1024 34.035
EOD
# series '3 cache-blocked': x y
$D3 << EOD
32 32.8831
64 41.5805
128 41.5195
256 42.9367
384 35.3605
512 42.0435
768 36.7988
1024 35.8991
EOD
# series '4 SIMD kernel, 1 thread': x y
$D4 << EOD
32 96.2349
64 132.229
128 185.146
256 201.167
384 193.083
512 204.001
768 198.129
1024 194.692
EOD
# series '5 SIMD kernel, 2 threads': x y
$D5 << EOD
32 94.8423
64 145.838
128 184.983
256 206.092
384 269.443
512 213.314
768 323.996
1024 281.386
EOD
# series 'OpenBLAS, 2 threads': x y
$D6 << EOD
32 70.3176
64 90.27
128 112.339
256 115.345
384 191.552
512 117.493
768 196.882
1024 201.159
EOD
set title 'Matrix multiply: GFLOP/s against size' font ',12'
set xlabel 'M = K = N (log scale)'
set ylabel 'GFLOP/s (log scale)'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set xrange [27.8261:1177.6]
set yrange [1.09595:1943.97]
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
