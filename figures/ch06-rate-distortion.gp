# ch06-rate-distortion.png: a gnuplot script written by VAECore (Sources/VAECore/Plot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch06-rate-distortion.gp
# (`set output` below names the PNG relative to the current directory, so the PNG is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1500,550 noenhanced font 'Sans,10'
set output 'ch06-rate-distortion.png'
set encoding utf8
set multiplot layout 1,2 title 'Rate against distortion on the binarized test set, one model per β' font ',13'

# ---- panel 1 of 2 ----
# series 'β = 0.5: R 35.9, D 68.5': x y
$D1 << EOD
35.8595 68.5439
EOD
# series 'β = 1: R 26.8, D 75.5': x y
$D2 << EOD
26.8469 75.4766
EOD
# series 'β = 2: R 18.1, D 88.7': x y
$D3 << EOD
18.0859 88.7151
EOD
# series 'β = 4: R 10.1, D 111.9': x y
$D4 << EOD
10.1036 111.927
EOD
# series 'β = 8: R 4.3, D 145.6': x y
$D5 << EOD
4.3357 145.608
EOD
# series 'the sweep, β rising': x y
$D6 << EOD
35.8595 68.5439
26.8469 75.4766
18.0859 88.7151
10.1036 111.927
4.3357 145.608
EOD
# series 'D + R = 102.3 (the ELBO of β = 1)': x y
$D7 << EOD
0 102.323
40.8595 61.4639
EOD
set title 'Rate–distortion plane (Alemi et al., 2018)' font ',12'
set xlabel 'rate R = KL(q(z|x) ‖ p(z))  [nats]'
set ylabel 'distortion D = −E_q[log p(x|z)]  [nats]'
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with points pt 7 ps 1.5 lc rgb '#1f77b4' title 'β = 0.5: R 35.9, D 68.5', \
     $D2 using 1:2 with points pt 7 ps 1.5 lc rgb '#ff7f0e' title 'β = 1: R 26.8, D 75.5', \
     $D3 using 1:2 with points pt 7 ps 1.5 lc rgb '#2ca02c' title 'β = 2: R 18.1, D 88.7', \
     $D4 using 1:2 with points pt 7 ps 1.5 lc rgb '#d62728' title 'β = 4: R 10.1, D 111.9', \
     $D5 using 1:2 with points pt 7 ps 1.5 lc rgb '#9467bd' title 'β = 8: R 4.3, D 145.6', \
     $D6 using 1:2 with lines lw 1 lc rgb '#999999' title 'the sweep, β rising', \
     $D7 using 1:2 with lines lw 1 dt 2 lc rgb '#555555' title 'D + R = 102.3 (the ELBO of β = 1)'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series '−ELBO = D + R': x y
$D8 << EOD
0.5 104.403
1 102.323
2 106.801
4 122.03
8 149.943
EOD
# series 'distortion D': x y
$D9 << EOD
0.5 68.5439
1 75.4766
2 88.7151
4 111.927
8 145.608
EOD
# series 'rate R': x y
$D10 << EOD
0.5 35.8595
1 26.8469
2 18.0859
4 10.1036
8 4.3357
EOD
set title 'The test terms against β' font ',12'
set xlabel 'β (log scale)'
set ylabel 'nats per image'
set logscale x
set format x '%g'
set grid lc rgb '#dddddd'
set key outside right top
plot $D8 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title '−ELBO = D + R', \
     $D9 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'distortion D', \
     $D10 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#2ca02c' title 'rate R'
unset multiplot
unset output
