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
32 2.24955
64 2.27029
128 2.07213
256 2.07677
384 2.29455
512 1.57203
EOD
# series '2 reordered ikj': x y
$D2 << EOD
32 13.8642
64 19.0643
128 32.1911
256 32.9954
384 28.6327
512 24.6837
768 28.1095
1024 27.3263
EOD
# series '3 cache-blocked': x y
$D3 << EOD
32 15.5816
64 26.5207
128 37.1941
256 39.9529
384 36.7399
512 34.1183
768 27.8898
1024 25.3824
EOD
# series '4 SIMD kernel, 1 thread': x y
$D4 << EOD
32 45.135
64 73.636
128 89.5281
256 98.15
384 106.387
512 79.9216
768 80.6056
1024 79.0425
EOD
# series '5 SIMD kernel, 2 threads': x y
$D5 << EOD
32 45.135
64 73.1123
128 90.3186
256 120.72
384 122.345
512 184.784
768 148.157
1024 167.994
EOD
# series 'OpenBLAS, 2 threads': x y
$D6 << EOD
32 82.7475
64 103.064
128 67.7134
256 118.086
384 111.873
512 187.287
768 155.772
1024 181.891
EOD
set title 'Matrix multiply: GFLOP/s against size' font ',12'
set xlabel 'M = K = N (log scale)'
set ylabel 'GFLOP/s (log scale)'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set xrange [27.8261:1177.6]
set yrange [1.04802:1123.72]
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
