# ch01-gemm-gflops.png: a gnuplot script written by VAECore (Sources/VAECore/Plot).
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
32 2.69186
64 2.45847
128 2.13918
256 2.03085
384 2.01371
512 1.60718
EOD
# series '2 reordered ikj': x y
$D2 << EOD
32 17.3605
64 21.403
128 26.0289
256 31.245
384 33.9745
512 36.4905
768 34.6916
1024 32.2139
EOD
# series '3 cache-blocked': x y
$D3 << EOD
32 21.0388
64 32.9244
128 33.2254
256 37.0858
384 35.5185
512 41.8016
768 38.7362
1024 30.6485
EOD
# series '4 SIMD kernel, 1 thread': x y
$D4 << EOD
32 74.3039
64 131.863
128 171.217
256 188.619
384 196.749
512 208.14
768 179.934
1024 168.761
EOD
# series '5 SIMD kernel, 2 threads': x y
$D5 << EOD
32 74.3039
64 131.863
128 168.399
256 365.33
384 385.39
512 216.915
768 383.822
1024 377.32
EOD
# series 'OpenBLAS, 2 threads': x y
$D6 << EOD
32 56.4479
64 86.817
128 155.685
256 190.452
384 208.203
512 112.767
768 208.745
1024 214.5
EOD
set title 'Matrix multiply: GFLOP/s against size' font ',12'
set xlabel 'M = K = N (log scale)'
set ylabel 'GFLOP/s (log scale)'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set xrange [27.8261:1177.6]
set yrange [1.07145:2312.34]
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
