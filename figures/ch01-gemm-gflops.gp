# ch01-gemm-gflops.png: a gnuplot script written by VAECore (Sources/VAECore/Plot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch01-gemm-gflops.gp
# (`set output` below names the PNG relative to the current directory, so the PNG is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 800,500 noenhanced font 'Sans,10'
set output 'ch01-gemm-gflops.png'
set encoding utf8
# series '1 naive ijk': x y
$D1 << EOD
32 3.26553
64 3.05665
128 2.6064
256 2.39965
384 2.41811
512 1.57579
EOD
# series '2 reordered ikj': x y
$D2 << EOD
32 21.0456
64 34.3953
128 43.1939
256 29.8443
384 32.7628
512 22.1837
768 31.3412
1024 28.7155
EOD
# series '3 cache-blocked': x y
$D3 << EOD
32 27.6174
64 41.6796
128 49.8823
256 41.9538
384 34.1054
512 28.5157
768 37.632
1024 30.9191
EOD
# series '4 SIMD kernel, 1 thread': x y
$D4 << EOD
32 63.5039
64 86.961
128 100.05
256 107.003
384 91.3803
512 86.3104
768 107.129
1024 92.8111
EOD
# series '5 SIMD kernel, 2 threads': x y
$D5 << EOD
32 63.5655
64 86.6735
128 111.296
256 133.262
384 156.642
512 146.82
768 202.106
1024 194.294
EOD
# series 'OpenBLAS, 2 threads': x y
$D6 << EOD
32 102.4
64 114.548
128 148.618
256 189.389
384 129.048
512 184.165
768 209.603
1024 197.857
EOD
set title 'Matrix multiply: GFLOP/s against size' font ',12'
set xlabel 'M = K = N'
set ylabel 'GFLOP/s'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set grid lc rgb '#dddddd'
set key outside right top
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title '1 naive ijk', \
     $D2 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title '2 reordered ikj', \
     $D3 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#2ca02c' title '3 cache-blocked', \
     $D4 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#d62728' title '4 SIMD kernel, 1 thread', \
     $D5 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#9467bd' title '5 SIMD kernel, 2 threads', \
     $D6 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#8c564b' title 'OpenBLAS, 2 threads'
unset output
