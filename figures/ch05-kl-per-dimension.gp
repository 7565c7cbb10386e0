# ch05-kl-per-dimension.png: a gnuplot script written by VAECore (Sources/VAECore/Plot).
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
0 2.1671 -0.4 0.4 0 2.1671 0
1 2.01966 0.6 1.4 0 2.01966 0
2 1.9369 1.6 2.4 0 1.9369 0
3 1.77716 2.6 3.4 0 1.77716 0
4 1.67883 3.6 4.4 0 1.67883 0
5 1.58647 4.6 5.4 0 1.58647 0
6 1.58226 5.6 6.4 0 1.58226 0
7 1.47295 6.6 7.4 0 1.47295 0
8 1.44471 7.6 8.4 0 1.44471 0
9 1.43164 8.6 9.4 0 1.43164 0
10 1.38649 9.6 10.4 0 1.38649 0
11 1.35536 10.6 11.4 0 1.35536 0
12 1.19992 11.6 12.4 0 1.19992 0
13 1.1634 12.6 13.4 0 1.1634 0
14 1.15083 13.6 14.4 0 1.15083 0
15 1.09802 14.6 15.4 0 1.09802 0
16 0.982315 15.6 16.4 0 0.982315 0
17 0.838001 16.6 17.4 0 0.838001 0
18 0.765572 17.6 18.4 0 0.765572 0
19 0.677508 18.6 19.4 0 0.677508 0
EOD
set title 'KL per dimension, nats per image (total 27.72)' font ',12'
set xlabel 'dimension'
set ylabel 'nats'
set grid lc rgb '#dddddd'
set xtics ('z8' 0, 'z5' 1, 'z13' 2, 'z18' 3, 'z14' 4, 'z17' 5, 'z19' 6, 'z4' 7, 'z9' 8, 'z1' 9, 'z2' 10, 'z11' 11, 'z7' 12, 'z15' 13, 'z16' 14, 'z0' 15, 'z10' 16, 'z3' 17, 'z12' 18, 'z6' 19)
unset key
set yrange [0:2.34047]
set xrange [-0.6:19.6]
set style fill solid 0.85 border lc rgb '#333333'
set grid noxtics
plot $D1 using 1:2:3:4:5:6 with boxxyerror lc rgb '#1f77b4' title 'KL_d'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# bars 'Var_x(μ_d)': x, top, left, right, bottom, top, error
$D2 << EOD
0 1.1317 -0.4 0.4 0.00333333 1.1317 0
1 1.05455 0.6 1.4 0.00333333 1.05455 0
2 1.07813 1.6 2.4 0.00333333 1.07813 0
3 1.00547 2.6 3.4 0.00333333 1.00547 0
4 0.970605 3.6 4.4 0.00333333 0.970605 0
5 0.960938 4.6 5.4 0.00333333 0.960938 0
6 0.895432 5.6 6.4 0.00333333 0.895432 0
7 0.942518 6.6 7.4 0.00333333 0.942518 0
8 0.939138 7.6 8.4 0.00333333 0.939138 0
9 0.889862 8.6 9.4 0.00333333 0.889862 0
10 0.914751 9.6 10.4 0.00333333 0.914751 0
11 0.83861 10.6 11.4 0.00333333 0.83861 0
12 0.844426 11.6 12.4 0.00333333 0.844426 0
13 0.855379 12.6 13.4 0.00333333 0.855379 0
14 0.854416 13.6 14.4 0.00333333 0.854416 0
15 0.799483 14.6 15.4 0.00333333 0.799483 0
16 0.764773 15.6 16.4 0.00333333 0.764773 0
17 0.708509 16.6 17.4 0.00333333 0.708509 0
18 0.709536 17.6 18.4 0.00333333 0.709536 0
19 0.678322 18.6 19.4 0.00333333 0.678322 0
EOD
set title 'Activity Var_x(μ_d) (20 of 20 above the threshold)' font ',12'
set xlabel 'dimension'
set ylabel 'variance of μ_d over test digits'
set logscale y
set format y '%g'
set yrange [0.00333333:3.39509]
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
