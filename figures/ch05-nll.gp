# ch05-nll.png: a gnuplot script written by VAECore (Sources/VAECore/Plot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch05-nll.gp
# (`set output` below names the PNG relative to the current directory, so the PNG is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 800,500 noenhanced font 'Sans,10'
set output 'ch05-nll.png'
set encoding utf8
# series 'importance-weighted NLL': x y
$D1 << EOD
1 93.9826
10 90.7109
100 89.3438
1000 88.7275
EOD
# series '−ELBO (all test images)': x y
$D2 << EOD
1 95.0041
10 95.0041
100 95.0041
1000 95.0041
EOD
set title 'Negative log-likelihood estimate against the number of importance samples (1000 test digits)' font ',12'
set xlabel 'k'
set ylabel 'nats per image'
set logscale x
set format x '%g'
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'importance-weighted NLL', \
     $D2 using 1:2 with lines lw 2 dt 2 lc rgb '#ff7f0e' title '−ELBO (all test images)'
unset output
