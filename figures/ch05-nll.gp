# ch05-nll.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch05-nll.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 800,500 noenhanced font 'Sans,10'
set output 'ch05-nll.png'
set encoding utf8
# series 'importance-weighted NLL, ± 1 standard error': x y ±error
$D1 << EOD
1 94.0133 0.784471
3 91.9894 0.760071
10 90.7595 0.753316
30 89.9044 0.741258
100 89.3616 0.742043
300 89.0418 0.739819
1000 88.7426 0.736659
EOD
set title 'Importance-sampled NLL against the number of samples k (the first 1000 test digits)' font ',12'
set xlabel 'k (importance samples per digit)'
set ylabel 'nats per image'
set logscale x
set format x '%g'
set xrange [0.666667:1500]
set yrange [85.76:95.7978]
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
set style textbox opaque noborder margins 0.5,0.5
set arrow 1 from graph 0, first 94.1557 to graph 1, first 94.1557 nohead dt 2 lw 1.5 lc rgb '#ff7f0e' front
set label '−ELBO on the same 1000 digits: 94.16 ± 0.78' at graph 0.01, first 94.1557 left offset 0,0.6 font ',9' tc rgb '#ff7f0e' boxed front
set arrow 2 from graph 0, first 86.76 to graph 1, first 86.76 nohead dt 2 lw 1.5 lc rgb '#2ca02c' front
set label '86.76: a one-layer VAE in Burda et al. (2016), trained far longer, k = 5000' at graph 0.01, first 86.76 left offset 0,0.6 font ',9' tc rgb '#2ca02c' boxed front
plot $D1 using 1:2:3 with yerrorlines lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'importance-weighted NLL, ± 1 standard error'
unset output
