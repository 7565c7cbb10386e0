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
0 1.1495
1 1.36155
2 1.37817
3 0.989559
4 1.46752
5 1.76505
6 0.867071
7 1.29779
8 1.88941
9 1.37764
10 1.2342
11 1.3911
12 0.966641
13 1.71834
14 1.54256
15 1.28087
16 1.2572
17 1.5382
18 1.63781
19 1.51721
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
0 0.815613
1 0.874453
2 0.910528
3 0.72165
4 0.946384
5 1.01857
6 0.72793
7 0.854281
8 1.17872
9 0.928196
10 0.845514
11 0.858848
12 0.745672
13 1.08313
14 0.970418
15 0.916477
16 0.878185
17 0.952141
18 0.975641
19 0.931554
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
