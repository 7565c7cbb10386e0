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
32 3.27042
64 3.05932
128 2.60655
256 2.39718
384 2.4562
512 1.45056
EOD
# series '2 reordered ikj': x y
$D2 << EOD
32 16.4004
64 34.4858
128 43.0565
256 29.4863
384 32.1868
512 30.7895
768 31.3141
1024 31.5931
EOD
# series '3 cache-blocked': x y
$D3 << EOD
32 22.4055
64 41.5146
128 49.8461
256 42.4063
384 37.6335
512 37.1116
768 35.778
1024 31.1332
EOD
# series '4 SIMD kernel, 1 thread': x y
$D4 << EOD
32 58.9353
64 83.4986
128 98.7755
256 106.877
384 108.237
512 106.047
768 102.671
1024 102.603
EOD
# series '5 SIMD kernel, 2 threads': x y
$D5 << EOD
32 58.4621
64 83.4986
128 137.812
256 187.649
384 197.032
512 204.005
768 189.411
1024 199.01
EOD
# series 'OpenBLAS, 2 threads': x y
$D6 << EOD
32 100.67
64 114.573
128 140.73
256 188.229
384 201.204
512 203.845
768 200.021
1024 199.574
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
