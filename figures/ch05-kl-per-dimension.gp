# ch05-kl-per-dimension.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch05-kl-per-dimension.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1300,450 noenhanced font 'Sans,10'
set output 'ch05-kl-per-dimension.png'
set encoding utf8
set multiplot layout 1,2 title 'How the code is used, per latent dimension (sorted by KL)' font ',13'

# ---- panel 1 of 2 ----
# bars 'KL_d': x, top, left, right, bottom, top, error
$D1 << EOD
0 2.16574 -0.4 0.4 0 2.16574 0
1 2.02226 0.6 1.4 0 2.02226 0
2 1.93011 1.6 2.4 0 1.93011 0
3 1.78021 2.6 3.4 0 1.78021 0
4 1.69095 3.6 4.4 0 1.69095 0
5 1.58189 4.6 5.4 0 1.58189 0
6 1.57781 5.6 6.4 0 1.57781 0
7 1.47419 6.6 7.4 0 1.47419 0
8 1.45527 7.6 8.4 0 1.45527 0
9 1.43687 8.6 9.4 0 1.43687 0
10 1.38644 9.6 10.4 0 1.38644 0
11 1.33305 10.6 11.4 0 1.33305 0
12 1.20271 11.6 12.4 0 1.20271 0
13 1.15472 12.6 13.4 0 1.15472 0
14 1.14923 13.6 14.4 0 1.14923 0
15 1.10162 14.6 15.4 0 1.10162 0
16 0.982568 15.6 16.4 0 0.982568 0
17 0.846427 16.6 17.4 0 0.846427 0
18 0.76244 17.6 18.4 0 0.76244 0
19 0.678383 18.6 19.4 0 0.678383 0
EOD
set title 'KL per dimension, nats per image (total 27.71; the first 17 hold 90%)' font ',12'
set xlabel 'dimension'
set ylabel 'nats'
set grid lc rgb '#dddddd'
set xtics ('z8' 0, 'z5' 1, 'z13' 2, 'z18' 3, 'z14' 4, 'z17' 5, 'z19' 6, 'z4' 7, 'z9' 8, 'z1' 9, 'z2' 10, 'z11' 11, 'z7' 12, 'z15' 13, 'z16' 14, 'z0' 15, 'z10' 16, 'z3' 17, 'z12' 18, 'z6' 19)
unset key
set yrange [0:2.339]
set xrange [-0.6:19.6]
set style fill solid 0.85 border lc rgb '#333333'
set grid noxtics
plot $D1 using 1:2:3:4:5:6 with boxxyerror lc rgb '#1f77b4' title 'KL_d'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# bars 'Var_x(μ_d)': x, top, left, right, bottom, top, error
$D2 << EOD
0 1.13225 -0.4 0.4 0.00333333 1.13225 0
1 1.0536 0.6 1.4 0.00333333 1.0536 0
2 1.07421 1.6 2.4 0.00333333 1.07421 0
3 1.00932 2.6 3.4 0.00333333 1.00932 0
4 0.972505 3.6 4.4 0.00333333 0.972505 0
5 0.957698 4.6 5.4 0.00333333 0.957698 0
6 0.89215 5.6 6.4 0.00333333 0.89215 0
7 0.939186 6.6 7.4 0.00333333 0.939186 0
8 0.939935 7.6 8.4 0.00333333 0.939935 0
9 0.891065 8.6 9.4 0.00333333 0.891065 0
10 0.916384 9.6 10.4 0.00333333 0.916384 0
11 0.830839 10.6 11.4 0.00333333 0.830839 0
12 0.846845 11.6 12.4 0.00333333 0.846845 0
13 0.853054 12.6 13.4 0.00333333 0.853054 0
14 0.856783 13.6 14.4 0.00333333 0.856783 0
15 0.800122 14.6 15.4 0.00333333 0.800122 0
16 0.766367 15.6 16.4 0.00333333 0.766367 0
17 0.709382 16.6 17.4 0.00333333 0.709382 0
18 0.710927 17.6 18.4 0.00333333 0.710927 0
19 0.678691 18.6 19.4 0.00333333 0.678691 0
EOD
set title 'Activity Var_x(μ_d): 20 of 20 active units (above 0.01)' font ',12'
set xlabel 'dimension'
set ylabel 'variance of μ_d over test digits'
set logscale y
set format y '%g'
set yrange [0.00333333:3.39675]
set grid lc rgb '#dddddd'
set xtics ('z8' 0, 'z5' 1, 'z13' 2, 'z18' 3, 'z14' 4, 'z17' 5, 'z19' 6, 'z4' 7, 'z9' 8, 'z1' 9, 'z2' 10, 'z11' 11, 'z7' 12, 'z15' 13, 'z16' 14, 'z0' 15, 'z10' 16, 'z3' 17, 'z12' 18, 'z6' 19)
unset key
set style textbox opaque noborder margins 0.5,0.5
set arrow 1 from graph 0, first 0.01 to graph 1, first 0.01 nohead dt 2 lw 1.5 lc rgb '#d62728' front
set label 'active above 0.01' at graph 0.01, first 0.01 left offset 0,0.6 font ',9' tc rgb '#d62728' boxed front
set xrange [-0.6:19.6]
set style fill solid 0.85 border lc rgb '#333333'
set grid noxtics
plot $D2 using 1:2:3:4:5:6 with boxxyerror lc rgb '#2ca02c' title 'Var_x(μ_d)'
unset multiplot
unset output
