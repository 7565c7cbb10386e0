# ch08-fid-is.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch08-fid-is.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1400,520 noenhanced font 'Sans,10'
set output 'ch08-fid-is.png'
set encoding utf8
set multiplot layout 1,2 title 'The 2-D model''s prior samples judged after every epoch' font ',13'

# ---- panel 1 of 2 ----
# series '2-D model': x y
$D1 << EOD
1 7367.15
2 2075.72
3 1539.01
4 1374.63
5 1361.79
6 1345.72
7 1314.94
8 1228.64
9 1219.18
10 1185.17
EOD
# series 'chapter 5's 20-D model, 177.5': x y
$D2 << EOD
1 177.508
10 177.508
EOD
set title 'Fréchet distance to real test digits (lower is better; log scale)' font ',12'
set xlabel 'epoch'
set ylabel 'Fréchet distance'
set logscale y
set format y '%g'
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title '2-D model', \
     $D2 using 1:2 with lines lw 2 dt 2 lc rgb '#000000' title 'chapter 5''s 20-D model, 177.5'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series '2-D model': x y
$D3 << EOD
1 1.01198
2 1.57192
3 2.11842
4 2.29012
5 2.30339
6 2.25852
7 2.28648
8 2.38822
9 2.40938
10 2.50216
EOD
# series '± 1 sd over 10 splits': x y
$D4 << EOD
1 1.02427
2 1.66541
3 2.27844
4 2.45288
5 2.4482
6 2.39283
7 2.41913
8 2.51995
9 2.54353
10 2.64065
EOD
# series '': x y
$D5 << EOD
1 0.999693
2 1.47844
3 1.9584
4 2.12736
5 2.15859
6 2.12421
7 2.15383
8 2.25648
9 2.27523
10 2.36367
EOD
# series 'chapter 5's 20-D model, 5.59': x y
$D6 << EOD
1 5.58725
10 5.58725
EOD
# series 'real test digits, 9.52': x y
$D7 << EOD
1 9.51931
10 9.51931
EOD
set title 'Inception Score (higher is better, 10 at most)' font ',12'
set xlabel 'epoch'
set ylabel 'Inception Score'
set yrange [0:10.5]
set grid lc rgb '#dddddd'
set key bottom right Left reverse opaque box lc rgb '#bbbbbb'
plot $D3 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title '2-D model', \
     $D4 using 1:2 with lines lw 1 dt 2 lc rgb '#1f77b4' title '± 1 sd over 10 splits', \
     $D5 using 1:2 with lines lw 1 dt 2 lc rgb '#1f77b4' title '', \
     $D6 using 1:2 with lines lw 2 dt 2 lc rgb '#000000' title 'chapter 5''s 20-D model, 5.59', \
     $D7 using 1:2 with lines lw 2 dt 2 lc rgb '#2ca02c' title 'real test digits, 9.52'
unset multiplot
unset output
