# ch07-per-label-accuracy.png: a gnuplot script written by VAECore (Sources/VAECore/Plot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch07-per-label-accuracy.gp
# (`set output` below names the PNG relative to the current directory, so the PNG is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1300,520 noenhanced font 'Sans,10'
set output 'ch07-per-label-accuracy.png'
set encoding utf8
set multiplot layout 1,2 title '10000 conditional samples judged by the digit classifier: 98.20% as asked with z ~ N(0, I), 98.62% with z from the fitted Gaussians' font ',13'

# ---- panel 1 of 2 ----
# series 'z ~ N(0, I), the prior': x y
$D1 << EOD
0 100
1 99.3
2 98.5
3 97.5
4 99.9
5 94
6 98.6
7 95.4
8 100
9 98.8
EOD
# series 'z ~ N(c_y, Σ_y), fitted to the training codes': x y
$D2 << EOD
0 100
1 99.9
2 98.9
3 97.4
4 99.8
5 94.4
6 99.8
7 96.8
8 100
9 99.2
EOD
# series 'the judge on real test digits, 99.41%': x y
$D3 << EOD
0 99.41
1 99.41
2 99.41
3 99.41
4 99.41
5 99.41
6 99.41
7 99.41
8 99.41
9 99.41
EOD
set title 'Accuracy per requested label' font ',12'
set xlabel 'label y'
set ylabel '% judged as y'
set yrange [90:100.5]
set grid lc rgb '#dddddd'
set xtics ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '6' 6, '7' 7, '8' 8, '9' 9) rotate by 30 right
set key bottom left Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'z ~ N(0, I), the prior', \
     $D2 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'z ~ N(c_y, Σ_y), fitted to the training codes', \
     $D3 using 1:2 with lines lw 2 dt 2 lc rgb '#2ca02c' title 'the judge on real test digits, 99.41%'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# matrix 10x10, one row per line
$D4 << EOD
1 0 0 0 0 0 0 0 0 0
0 0.993 0.002 0 0.001 0 0 0 0.004 0
0 0 0.985 0 0 0 0 0.001 0.013 0.001
0.001 0 0.001 0.975 0 0.002 0 0 0.02 0.001
0 0 0 0 0.999 0 0 0 0.001 0
0.002 0 0 0.003 0.001 0.94 0.013 0 0.032 0.009
0.009 0 0 0 0 0 0.986 0 0.005 0
0.004 0 0.003 0 0.004 0 0 0.954 0.01 0.025
0 0 0 0 0 0 0 0 1 0
0.001 0 0 0 0 0 0 0 0.011 0.988
EOD
set title 'z ~ N(0, I): share judged as each digit (row: asked, column: judged)' font ',12'
set xlabel 'judged digit'
set ylabel 'requested label'
set palette defined (0 '#440154', 1 '#472c7a', 2 '#3b518b', 3 '#2c718e', 4 '#21908d', 5 '#27ad81', 6 '#5cc863', 7 '#aadc32', 8 '#fde725')
set cbrange [0:1]
set size ratio -1
unset key
set tics out nomirror
# Row 0 at the top: the y axis runs downwards, as a matrix is written.
set xrange [-0.5:10 - 0.5]
set yrange [10 - 0.5:-0.5]
plot $D4 matrix with image notitle
unset multiplot
unset output
