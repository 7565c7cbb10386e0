# ch06-rate-distortion.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch06-rate-distortion.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1500,550 noenhanced font 'Sans,10'
set output 'ch06-rate-distortion.png'
set encoding utf8
set multiplot layout 1,2 title 'Rate against distortion on the binarized test set, one model per β, each trained 4 epochs (chapter 5''s full run: 30)' font ',13'

# ---- panel 1 of 2 ----
# series 'β = 0.5: R 35.8, D 68.6': x y
$D1 << EOD
35.8286 68.5619
EOD
# series 'β = 1: R 26.8, D 75.5': x y
$D2 << EOD
26.8313 75.498
EOD
# series 'β = 2: R 18.1, D 88.8': x y
$D3 << EOD
18.0603 88.7765
EOD
# series 'β = 4: R 10.1, D 111.9': x y
$D4 << EOD
10.1028 111.931
EOD
# series 'β = 8: R 4.3, D 145.8': x y
$D5 << EOD
4.32515 145.757
EOD
# series 'the sweep, β rising': x y
$D6 << EOD
35.8286 68.5619
26.8313 75.498
18.0603 88.7765
10.1028 111.931
4.32515 145.757
EOD
# series 'D + R = 102.3 (the ELBO of β = 1)': x y
$D7 << EOD
0 102.329
40.8286 61.5008
EOD
set title 'Rate–distortion plane (Alemi et al., 2018)' font ',12'
set xlabel 'rate R = KL(q(z|x) ‖ p(z))  [nats]'
set ylabel 'distortion D = −E_q[log p(x|z)]  [nats]'
set yrange [57.288:211.758]
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with points pt 7 ps 1.5 lc rgb '#1f77b4' title 'β = 0.5: R 35.8, D 68.6', \
     $D2 using 1:2 with points pt 7 ps 1.5 lc rgb '#ff7f0e' title 'β = 1: R 26.8, D 75.5', \
     $D3 using 1:2 with points pt 7 ps 1.5 lc rgb '#2ca02c' title 'β = 2: R 18.1, D 88.8', \
     $D4 using 1:2 with points pt 7 ps 1.5 lc rgb '#d62728' title 'β = 4: R 10.1, D 111.9', \
     $D5 using 1:2 with points pt 7 ps 1.5 lc rgb '#9467bd' title 'β = 8: R 4.3, D 145.8', \
     $D6 using 1:2 with lines lw 1 lc rgb '#999999' title 'the sweep, β rising', \
     $D7 using 1:2 with lines lw 1 dt 2 lc rgb '#555555' title 'D + R = 102.3 (the ELBO of β = 1)'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series '−ELBO = D + R, ± 1 standard error': x y ±error
$D8 << EOD
0.5 104.39 0.252143
1 102.329 0.257405
2 106.837 0.275342
4 122.034 0.322951
8 150.082 0.394801
EOD
# series 'distortion D': x y
$D9 << EOD
0.5 68.5619
1 75.498
2 88.7765
4 111.931
8 145.757
EOD
# series 'rate R': x y
$D10 << EOD
0.5 35.8286
1 26.8313
2 18.0603
4 10.1028
8 4.32515
EOD
set title 'The test terms against β' font ',12'
set xlabel 'β (log scale)'
set ylabel 'nats per image'
set logscale x
set format x '%g'
set xrange [0.384615:10.4]
set grid lc rgb '#dddddd'
set xtics ('0.5' 0.5, '1' 1, '2' 2, '4' 4, '8' 8)
set key outside right top
plot $D8 using 1:2:3 with yerrorlines lw 2 pt 7 ps 1 lc rgb '#1f77b4' title '−ELBO = D + R, ± 1 standard error', \
     $D9 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'distortion D', \
     $D10 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#2ca02c' title 'rate R'
unset multiplot
unset output
