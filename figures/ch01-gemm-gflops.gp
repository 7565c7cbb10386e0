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
32 1.59743
64 2.20137
128 2.1886
256 2.07706
384 1.8958
512 1.9407
EOD
# series '2 reordered ikj': x y
$D2 << EOD
32 14.1884
64 24.5729
128 28.2627
256 19.655
384 20.3611
512 20.0121
768 16.713
1024 13.7428
EOD
# series '3 cache-blocked': x y
$D3 << EOD
32 12.0073
64 29.8842
128 33.1573
256 26.1313
384 32.8349
512 25.0438
768 24.8398
1024 23.2754
EOD
# series '4 SIMD kernel, 1 thread': x y
$D4 << EOD
32 30.1176
64 63.961
128 70.5945
256 80.4852
384 79.5311
512 82.1062
768 82.5598
1024 79.4578
EOD
# series '5 SIMD kernel, 2 threads': x y
$D5 << EOD
32 40.2061
64 63.4962
128 80.0348
256 119.313
384 115.867
512 148.828
768 153.572
1024 148.792
EOD
# series 'OpenBLAS, 2 threads': x y
$D6 << EOD
32 17.6742
64 26.9834
128 29.2007
256 31.5863
384 32.395
512 63.9622
768 65.0566
1024 65.2371
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
