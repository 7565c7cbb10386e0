# bench-train-step.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot bench-train-step.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 800,500 noenhanced font 'Sans,10'
set output 'bench-train-step.png'
set encoding utf8
# series 'ours, 2 threads': x y
$D1 << EOD
32 5716.8
64 9801.2
128 7763.2
256 9621.5
512 7702.4
EOD
# series 'PyTorch 2.15.0+cu132, 2 threads': x y
$D2 << EOD
32 2739.49
64 5603.71
128 3618.68
256 4173.12
512 3540.73
EOD
# series 'ours, 1 thread': x y
$D3 << EOD
32 5510.8
64 5206.2
128 4856.6
256 4635.2
512 4286.4
EOD
# series 'PyTorch 2.15.0+cu132, 1 thread': x y
$D4 << EOD
32 2582.1
64 2199.31
128 2122.97
256 2432.67
512 2510.43
EOD
set title 'Reference VAE training step (Adam), best of 20×3 steps'."\n".'AMD EPYC (2 cores, AVX-512)' font ',12'
set xlabel 'batch size (images)'
set ylabel 'images per second'
set logscale x
set format x '%g'
set grid lc rgb '#dddddd'
set xtics ('32' 32, '64' 64, '128' 128, '256' 256, '512' 512)
set key outside right top
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'ours, 2 threads', \
     $D2 using 1:2 with lines lw 2 dt 2 lc rgb '#ff7f0e' title 'PyTorch 2.15.0+cu132, 2 threads', \
     $D3 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#2ca02c' title 'ours, 1 thread', \
     $D4 using 1:2 with lines lw 2 dt 2 lc rgb '#d62728' title 'PyTorch 2.15.0+cu132, 1 thread'
unset output
