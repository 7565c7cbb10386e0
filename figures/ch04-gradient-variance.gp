# ch04-gradient-variance.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch04-gradient-variance.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 800,500 noenhanced font 'Sans,10'
set output 'ch04-gradient-variance.png'
set encoding utf8
# series 'score function (REINFORCE)': x y
$D1 << EOD
1 48.4087
2 26.9169
4 10.8939
8 6.34043
16 3.27935
32 1.64113
64 0.796064
128 0.413962
256 0.203211
EOD
# series 'reparameterised (pathwise)': x y
$D2 << EOD
1 4.00443
2 2.00019
4 0.944478
8 0.505528
16 0.253458
32 0.127196
64 0.0623167
128 0.031559
256 0.0161402
EOD
set title 'Variance of the gradient estimate ∂L/∂μ, f(z) = (z−2)², μ = 0.5, σ = 1' font ',12'
set xlabel 'samples S per estimate'
set ylabel 'variance over repeats'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set xrange [0.769231:332.8]
set yrange [0.00807012:96.8173]
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'score function (REINFORCE)', \
     $D2 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'reparameterised (pathwise)'
unset output
