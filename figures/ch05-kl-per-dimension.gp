# ch05-kl-per-dimension.png: a gnuplot script written by VAECore (Sources/VAECore/Plot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch05-kl-per-dimension.gp
# (`set output` below names the PNG relative to the current directory, so the PNG is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1200,450 noenhanced font 'Sans,10'
set output 'ch05-kl-per-dimension.png'
set encoding utf8
set multiplot layout 1,2 title 'How the code is used, per latent dimension' font ',13'

# ---- panel 1 of 2 ----
# series 'KL_d': x y
$D1 << EOD
0 1.09802
1 1.43164
2 1.38649
3 0.838001
4 1.47295
5 2.01966
6 0.677508
7 1.19992
8 2.1671
9 1.44471
10 0.982315
11 1.35536
12 0.765572
13 1.9369
14 1.67883
15 1.1634
16 1.15083
17 1.58647
18 1.77716
19 1.58226
EOD
set title 'KL per dimension (nats per image)' font ',12'
set xlabel 'dimension d'
set ylabel 'nats'
set grid lc rgb '#dddddd'
unset key
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'KL_d'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'Var_x(μ_d)': x y
$D2 << EOD
0 0.799483
1 0.889862
2 0.914751
3 0.708509
4 0.942518
5 1.05455
6 0.678322
7 0.844426
8 1.1317
9 0.939138
10 0.764773
11 0.83861
12 0.709536
13 1.07813
14 0.970605
15 0.855379
16 0.854416
17 0.960938
18 1.00547
19 0.895432
EOD
# series 'active threshold 0.01': x y
$D3 << EOD
0 0.01
1 0.01
2 0.01
3 0.01
4 0.01
5 0.01
6 0.01
7 0.01
8 0.01
9 0.01
10 0.01
11 0.01
12 0.01
13 0.01
14 0.01
15 0.01
16 0.01
17 0.01
18 0.01
19 0.01
EOD
set title 'Activity Var_x(μ_d): active above 0.01' font ',12'
set xlabel 'dimension d'
set ylabel 'variance'
set logscale y
set format y '%g'
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D2 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'Var_x(μ_d)', \
     $D3 using 1:2 with lines lw 2 dt 2 lc rgb '#ff7f0e' title 'active threshold 0.01'
unset multiplot
unset output
