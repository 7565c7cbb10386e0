# ch12-literature.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch12-literature.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1200,600 noenhanced font 'Sans,10'
set output 'ch12-literature.png'
set encoding utf8
# series 'NLL, importance-weighted (± standard error)': x y ±error
$D1 << EOD
0 86.2086 0.219173
1 94.4692 0.785682
2 92.7601 0.780475
3 93.6387 0.782648
4 92.9549 0.798576
5 94.937 0.775968
6 94.6686 0.810133
EOD
# point labels of series 'NLL, importance-weighted (± standard error)': x y label
$D2 << EOD
0 86.2086 "86.21"
1 94.4692 "94.47"
2 92.7601 "92.76"
3 93.6387 "93.64"
4 92.9549 "92.95"
5 94.937 "94.94"
6 94.6686 "94.67"
EOD
set title 'The configurations'' NLL (dots, ± one standard error) against the literature''s (dashed)' font ',12'
set xlabel 'configuration'
set ylabel 'NLL [nats per test digit] (lower is better)'
set xrange [-0.5:6.5]
set yrange [80:96.937]
set grid lc rgb '#dddddd'
set xtics ('elbo-200' 0, 'elbo-5 (1000 digits)' 1, 'iwae-k5-5 (1000 digits)' 2, 'wide-5 (1000 digits)' 3, 'iaf-5 (1000 digits)' 4, 'warmup-5 (1000 digits)' 5, 'vamp-5 (1000 digits)' 6) rotate by 30 right
unset key
set style textbox opaque noborder margins 0.5,0.5
set arrow 1 from graph 0, first 86.76 to graph 1, first 86.76 nohead dt 2 lw 1.5 lc rgb '#444444' front
set label '86.76: one-layer VAE, k = 1 (Burda et al. 2016)' at graph 0.01, first 86.76 left offset 0,0.6 font ',9' tc rgb '#444444' boxed front
set arrow 2 from graph 0, first 84.78 to graph 1, first 84.78 nohead dt 2 lw 1.5 lc rgb '#444444' front
set label '84.78: one-layer IWAE, k = 50 (Burda et al. 2016)' at graph 0.01, first 84.78 left offset 0,0.6 font ',9' tc rgb '#444444' boxed front
set arrow 3 from graph 0, first 82.9 to graph 1, first 82.9 nohead dt 2 lw 1.5 lc rgb '#444444' front
set label '82.90: two-layer IWAE, k = 50 (Burda et al. 2016)' at graph 0.01, first 82.9 left offset 0,0.6 font ',9' tc rgb '#444444' boxed front
plot $D1 using 1:2:3 with yerrorbars lw 3 pt 7 ps 1.5 lc rgb '#1f77b4' title 'NLL, importance-weighted (± standard error)', \
     $D2 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#1f77b4' notitle
unset output
