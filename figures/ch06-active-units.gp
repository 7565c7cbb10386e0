# ch06-active-units.png: a gnuplot script written by VAECore (Sources/VAECore/Plot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch06-active-units.gp
# (`set output` below names the PNG relative to the current directory, so the PNG is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1400,500 noenhanced font 'Sans,10'
set output 'ch06-active-units.png'
set encoding utf8
set multiplot layout 1,2 title 'How many latent dimensions each β keeps' font ',13'

# ---- panel 1 of 2 ----
# series 'active units (Var_x μ_d > 0.01)': x y
$D1 << EOD
0.5 20
1 20
2 20
4 20
8 18
EOD
# series 'dimensions holding 90% of the KL': x y
$D2 << EOD
0.5 18
1 18
2 17
4 13
8 6
EOD
set title 'Active units against β' font ',12'
set xlabel 'β (log scale)'
set ylabel 'dimensions (of 20)'
set logscale x
set format x '%g'
set yrange [0:21]
set grid lc rgb '#dddddd'
set key bottom left Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'active units (Var_x μ_d > 0.01)', \
     $D2 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'dimensions holding 90% of the KL'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'β = 0.5': x y
$D3 << EOD
1 2.14308
2 2.07882
3 1.98344
4 1.94866
5 1.90019
6 1.89375
7 1.88477
8 1.87911
9 1.8703
10 1.84847
11 1.81911
12 1.78233
13 1.75955
14 1.70382
15 1.66786
16 1.66133
17 1.5663
18 1.55402
19 1.48674
20 1.42787
EOD
# series 'β = 1': x y
$D4 << EOD
1 1.72537
2 1.65022
3 1.62437
4 1.56891
5 1.47742
6 1.45583
7 1.40041
8 1.35066
9 1.35057
10 1.3442
11 1.30726
12 1.30039
13 1.29222
14 1.29103
15 1.2652
16 1.2423
17 1.16689
18 1.02272
19 1.02103
20 0.98987
EOD
# series 'β = 2': x y
$D5 << EOD
1 1.49501
2 1.3019
3 1.20292
4 1.15044
5 1.1408
6 1.03194
7 1.01619
8 0.972527
9 0.964208
10 0.907555
11 0.893183
12 0.851749
13 0.845618
14 0.792229
15 0.755593
16 0.739471
17 0.710048
18 0.467586
19 0.442432
20 0.404498
EOD
# series 'β = 4': x y
$D6 << EOD
1 1.38832
2 0.977097
3 0.949259
4 0.940291
5 0.849943
6 0.812935
7 0.812432
8 0.659515
9 0.529234
10 0.33629
11 0.315001
12 0.309065
13 0.236141
14 0.235721
15 0.16265
16 0.157624
17 0.152406
18 0.123373
19 0.101533
20 0.0547712
EOD
# series 'β = 8': x y
$D7 << EOD
1 0.884697
2 0.875804
3 0.77714
4 0.741342
5 0.330248
6 0.30655
7 0.0939892
8 0.0831569
9 0.0505307
10 0.0447703
11 0.0312293
12 0.0267321
13 0.0175497
14 0.0151824
15 0.0137435
16 0.0126525
17 0.00968442
18 0.00968023
19 0.00615515
20 0.0048663
EOD
set title 'KL per dimension, sorted (nats per test image; floor 0.001)' font ',12'
set xlabel 'dimension, by rank'
set ylabel 'KL_d [nats]'
set logscale y
set format y '%g'
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D3 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'β = 0.5', \
     $D4 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'β = 1', \
     $D5 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#2ca02c' title 'β = 2', \
     $D6 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#d62728' title 'β = 4', \
     $D7 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#9467bd' title 'β = 8'
unset multiplot
unset output
