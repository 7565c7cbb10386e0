# bench-train-step.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot bench-train-step.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1000,560 noenhanced font 'Sans,10'
set output 'bench-train-step.png'
set encoding utf8
# series 'ours, 2 threads': x y ±error
$D1 << EOD
32 5020.4 403.5
64 5216.33 477.05
128 5376.93 323.95
256 5170.37 914.4
512 4552.67 405.45
EOD
# series 'PyTorch 2.13.0+cpu, 2 threads': x y ±error
$D2 << EOD
32 2532.79 72.2439
64 2757.3 51.2002
128 3011.86 667.737
256 3257.2 194.668
512 3443.13 518.443
EOD
# series 'ours, 1 thread': x y ±error
$D3 << EOD
32 3230.67 103.9
64 3099.63 62.8
128 2886.37 169.65
256 2811.47 46.65
512 2603.27 88.55
EOD
# series 'PyTorch 2.13.0+cpu, 1 thread': x y ±error
$D4 << EOD
32 1639.21 112.346
64 1946.47 28.7654
128 2055.41 61.5806
256 1890.94 275.156
512 2105.98 59.594
EOD
set title 'Reference VAE training step (Adam), AMD EPYC (2 cores, AVX-512; built for x86-64-v4)'."\n".'each point the mean of 3 processes'' best of 20×3 steps, its bar their range' font ',12'
set xlabel 'batch size (images)'
set ylabel 'images per second'
set logscale x
set format x '%g'
set yrange [0:7262.88]
set grid lc rgb '#dddddd'
set xtics ('32' 32, '64' 64, '128' 128, '256' 256, '512' 512)
set key top left Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2:3 with yerrorlines lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'ours, 2 threads', \
     $D2 using 1:2:3 with yerrorlines lw 2 dt 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'PyTorch 2.13.0+cpu, 2 threads', \
     $D3 using 1:2:3 with yerrorlines lw 2 pt 7 ps 1 lc rgb '#2ca02c' title 'ours, 1 thread', \
     $D4 using 1:2:3 with yerrorlines lw 2 dt 2 pt 7 ps 1 lc rgb '#d62728' title 'PyTorch 2.13.0+cpu, 1 thread'
unset output
