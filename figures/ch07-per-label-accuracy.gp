# ch07-per-label-accuracy.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch07-per-label-accuracy.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1300,520 noenhanced font 'Sans,10'
set output 'ch07-per-label-accuracy.png'
set encoding utf8
set multiplot layout 1,2 title '10000 conditional samples judged by the digit classifier: 99.54% as asked with z ~ N(0, I), 99.75% with z from the fitted Gaussians' font ',13'

# ---- panel 1 of 2 ----
# bars 'prior N(0, I)': x, top, left, right, bottom, top, error
$D1 << EOD
-0.2 100 -0.4 0 0 100 0
0.8 99.8 0.6 1 0 99.8 0
1.8 99.8 1.6 2 0 99.8 0
2.8 99.7 2.6 3 0 99.7 0
3.8 100 3.6 4 0 100 0
4.8 99 4.6 5 0 99 0
5.8 99.1 5.6 6 0 99.1 0
6.8 98.9 6.6 7 0 98.9 0
7.8 99.5 7.6 8 0 99.5 0
8.8 99.6 8.6 9 0 99.6 0
EOD
# bars 'fitted N(c_y, Σ_y)': x, top, left, right, bottom, top, error
$D2 << EOD
0.2 100 5.55112e-17 0.4 0 100 0
1.2 100 1 1.4 0 100 0
2.2 99.6 2 2.4 0 99.6 0
3.2 99.9 3 3.4 0 99.9 0
4.2 99.8 4 4.4 0 99.8 0
5.2 99.4 5 5.4 0 99.4 0
6.2 99.8 6 6.4 0 99.8 0
7.2 99.4 7 7.4 0 99.4 0
8.2 99.7 8 8.4 0 99.7 0
9.2 99.9 9 9.4 0 99.9 0
EOD
set title 'Accuracy per requested label (the axis starts at 90%)' font ',12'
set xlabel 'label y'
set ylabel '% judged as y'
set yrange [90:100.8]
set grid lc rgb '#dddddd'
set xtics ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '6' 6, '7' 7, '8' 8, '9' 9)
set key outside right top
set style textbox opaque noborder margins 0.5,0.5
set arrow 1 from graph 0, first 99.45 to graph 1, first 99.45 nohead dt 2 lw 1.5 lc rgb '#444444' front
set label 'the judge on real test digits: 99.45%' at graph 0.01, first 99.45 left offset 0,0.6 font ',9' tc rgb '#444444' boxed front
set xrange [-0.6:9.6]
set style fill solid 0.85 border lc rgb '#333333'
set grid noxtics
plot $D1 using 1:2:3:4:5:6 with boxxyerror lc rgb '#1f77b4' title 'prior N(0, I)', \
     $D2 using 1:2:3:4:5:6 with boxxyerror lc rgb '#ff7f0e' title 'fitted N(c_y, Σ_y)'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# matrix 10x10, one row per line
$D3 << EOD
NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN
NaN NaN NaN NaN 0.1 NaN NaN NaN NaN 0.1
0.1 NaN NaN NaN NaN NaN NaN 0.1 NaN NaN
0.1 NaN 0.1 NaN NaN 0.1 NaN NaN NaN NaN
NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN
NaN NaN NaN NaN NaN NaN 0.4 NaN NaN 0.6
0.7 NaN NaN NaN NaN 0.1 NaN NaN 0.1 NaN
0.3 NaN 0.4 0.1 NaN NaN NaN NaN NaN 0.3
NaN 0.4 NaN 0.1 NaN NaN NaN NaN NaN NaN
0.1 0.1 NaN NaN NaN NaN NaN 0.2 NaN NaN
EOD
set title 'z ~ N(0, I): % judged as each digit'."\n".'(in %; misses coloured on a log scale, the diagonal and cells of no miss white)' font ',12'
set xlabel 'judged digit'
set ylabel 'requested label'
set palette defined (0 '#440154', 1 '#472c7a', 2 '#3b518b', 3 '#2c718e', 4 '#21908d', 5 '#27ad81', 6 '#5cc863', 7 '#aadc32', 8 '#fde725')
set logscale cb
set format cb '%g'
set cbtics (0.1, 0.2, 0.5)
set cbrange [0.08:0.7]
set label '100.0' at 0, 0 center front font ',8' tc rgb '#000000'
set label '99.8' at 1, 1 center front font ',8' tc rgb '#000000'
set label '0.1' at 4, 1 center front font ',8' tc rgb '#ffffff'
set label '0.1' at 9, 1 center front font ',8' tc rgb '#ffffff'
set label '0.1' at 0, 2 center front font ',8' tc rgb '#ffffff'
set label '99.8' at 2, 2 center front font ',8' tc rgb '#000000'
set label '0.1' at 7, 2 center front font ',8' tc rgb '#ffffff'
set label '0.1' at 0, 3 center front font ',8' tc rgb '#ffffff'
set label '0.1' at 2, 3 center front font ',8' tc rgb '#ffffff'
set label '99.7' at 3, 3 center front font ',8' tc rgb '#000000'
set label '0.1' at 5, 3 center front font ',8' tc rgb '#ffffff'
set label '100.0' at 4, 4 center front font ',8' tc rgb '#000000'
set label '99.0' at 5, 5 center front font ',8' tc rgb '#000000'
set label '0.4' at 6, 5 center front font ',8' tc rgb '#000000'
set label '0.6' at 9, 5 center front font ',8' tc rgb '#000000'
set label '0.7' at 0, 6 center front font ',8' tc rgb '#000000'
set label '0.1' at 5, 6 center front font ',8' tc rgb '#ffffff'
set label '99.1' at 6, 6 center front font ',8' tc rgb '#000000'
set label '0.1' at 8, 6 center front font ',8' tc rgb '#ffffff'
set label '0.3' at 0, 7 center front font ',8' tc rgb '#000000'
set label '0.4' at 2, 7 center front font ',8' tc rgb '#000000'
set label '0.1' at 3, 7 center front font ',8' tc rgb '#ffffff'
set label '98.9' at 7, 7 center front font ',8' tc rgb '#000000'
set label '0.3' at 9, 7 center front font ',8' tc rgb '#000000'
set label '0.4' at 1, 8 center front font ',8' tc rgb '#000000'
set label '0.1' at 3, 8 center front font ',8' tc rgb '#ffffff'
set label '99.5' at 8, 8 center front font ',8' tc rgb '#000000'
set label '0.1' at 0, 9 center front font ',8' tc rgb '#ffffff'
set label '0.1' at 1, 9 center front font ',8' tc rgb '#ffffff'
set label '0.2' at 7, 9 center front font ',8' tc rgb '#ffffff'
set label '99.6' at 9, 9 center front font ',8' tc rgb '#000000'
set size ratio -1
unset key
set tics out nomirror
set xtics 0, 1, 9
set ytics 0, 1, 9
# Row 0 at the top: the y axis runs downwards, as a matrix is written.
set xrange [-0.5:10 - 0.5]
set yrange [10 - 0.5:-0.5]
plot $D3 matrix with image notitle
unset multiplot
unset output
