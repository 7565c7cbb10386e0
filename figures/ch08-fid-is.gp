# ch08-fid-is.png: a gnuplot script written by VAECore (Sources/VAECore/Plot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch08-fid-is.gp
# (`set output` below names the PNG relative to the current directory, so the PNG is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1400,520 noenhanced font 'Sans,10'
set output 'ch08-fid-is.png'
set encoding utf8
set multiplot layout 1,2 title 'The 2-D model''s prior samples judged after every epoch' font ',13'

# ---- panel 1 of 2 ----
# series '2-D model': x y
$D1 << EOD
1 7595.35
2 2025.35
3 1486.71
4 1350.99
5 1337.33
6 1306.99
7 1297.13
8 1225.75
9 1211.2
10 1184.47
EOD
# series 'chapter 5's 20-D model, 186.7': x y
$D2 << EOD
1 186.709
10 186.709
EOD
set title 'Fréchet distance to real test digits (lower is better; log scale)' font ',12'
set xlabel 'epoch'
set ylabel 'Fréchet distance'
set logscale y
set format y '%g'
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title '2-D model', \
     $D2 using 1:2 with lines lw 2 dt 2 lc rgb '#000000' title 'chapter 5''s 20-D model, 186.7'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series '2-D model': x y
$D3 << EOD
1 1.01125
2 1.6161
3 2.1757
4 2.32371
5 2.32619
6 2.31116
7 2.33122
8 2.45855
9 2.49571
10 2.61413
EOD
# series '± 1 sd over 10 splits': x y
$D4 << EOD
1 1.02193
2 1.70957
3 2.33508
4 2.48704
5 2.46907
6 2.44064
7 2.4596
8 2.58592
9 2.62668
10 2.74724
EOD
# series '': x y
$D5 << EOD
1 1.00057
2 1.52264
3 2.01632
4 2.16039
5 2.18332
6 2.18169
7 2.20284
8 2.33118
9 2.36473
10 2.48103
EOD
# series 'chapter 5's 20-D model, 5.61': x y
$D6 << EOD
1 5.60964
10 5.60964
EOD
# series 'real test digits, 9.53': x y
$D7 << EOD
1 9.53421
10 9.53421
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
     $D6 using 1:2 with lines lw 2 dt 2 lc rgb '#000000' title 'chapter 5''s 20-D model, 5.61', \
     $D7 using 1:2 with lines lw 2 dt 2 lc rgb '#2ca02c' title 'real test digits, 9.53'
unset multiplot
unset output
