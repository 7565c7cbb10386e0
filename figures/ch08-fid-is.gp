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
set multiplot layout 1,2 title 'Prior samples judged by the course''s digit classifier: this chapter''s 2-D model after every epoch, chapter 5''s 20-D model once, trained' font ',13'

# ---- panel 1 of 2 ----
# series '2-D model, after each epoch': x y
$D1 << EOD
1 816.175
2 653.956
3 563.307
4 502.609
5 451.181
6 426.526
7 392.68
8 383.404
9 370.616
10 366.64
EOD
# series 'chapter 5's 20-D model (trained): 162.1': x y
$D2 << EOD
1 162.054
10 162.054
EOD
set title 'Fréchet distance to real digits in the judge''s 128 features'."\n".'(lower is better; not comparable with published FIDs, on Inception features)' font ',12'
set xlabel 'epoch'
set ylabel 'Fréchet distance (judge''s features; log scale)'
set logscale y
set format y '%g'
set yrange [100:2448.53]
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title '2-D model, after each epoch', \
     $D2 using 1:2 with lines lw 2 dt 2 lc rgb '#000000' title 'chapter 5''s 20-D model (trained): 162.1'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series '2-D model, after each epoch': x y
$D3 << EOD
1 3.04608
2 4.12897
3 5.08636
4 5.71918
5 5.98757
6 6.20323
7 6.46016
8 6.48393
9 6.58879
10 6.64157
EOD
# series '± 1 sd over 10 splits': x y
$D4 << EOD
1 3.17322
2 4.26533
3 5.24225
4 5.85595
5 6.08191
6 6.33988
7 6.59905
8 6.61073
9 6.72178
10 6.78985
EOD
# series '': x y
$D5 << EOD
1 2.91894
2 3.99261
3 4.93048
4 5.58241
5 5.89323
6 6.06658
7 6.32127
8 6.35714
9 6.4558
10 6.49329
EOD
# series 'chapter 5's 20-D model (trained): 6.10': x y
$D6 << EOD
1 6.09576
10 6.09576
EOD
# series 'real test digits: 9.52': x y
$D7 << EOD
1 9.52424
10 9.52424
EOD
set title 'Inception Score of the judge''s probabilities'."\n".'(higher is better, 10 at most)' font ',12'
set xlabel 'epoch'
set ylabel 'Inception Score (judge''s probabilities)'
set yrange [0:10.5]
set grid lc rgb '#dddddd'
set key outside right top
plot $D3 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title '2-D model, after each epoch', \
     $D4 using 1:2 with lines lw 1 dt 2 lc rgb '#1f77b4' title '± 1 sd over 10 splits', \
     $D5 using 1:2 with lines lw 1 dt 2 lc rgb '#1f77b4' title '', \
     $D6 using 1:2 with lines lw 2 dt 2 lc rgb '#000000' title 'chapter 5''s 20-D model (trained): 6.10', \
     $D7 using 1:2 with lines lw 2 dt 2 lc rgb '#2ca02c' title 'real test digits: 9.52'
unset multiplot
unset output
