# ch06-active-units.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch06-active-units.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.
# figure-lint waives axis-range: dimensions counted on their whole scale, from 0 to every dimension of the code

set terminal pngcairo size 1400,500 noenhanced font 'Sans,10'
set output 'ch06-active-units.png'
set encoding utf8
set multiplot layout 1,2 title 'How many latent dimensions each β keeps (each trained 4 epochs (chapter 5''s full run: 30))' font ',13'

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
8 7
EOD
set title 'Dimensions in use against β, by two criteria' font ',12'
set xlabel 'β (log scale)'
set ylabel 'dimensions (of 20)'
set logscale x
set format x '%g'
set xrange [0.384615:10.4]
set yrange [0:21]
set grid lc rgb '#dddddd'
set xtics ('0.5' 0.5, '1' 1, '2' 2, '4' 4, '8' 8)
set key bottom left Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'active units (Var_x μ_d > 0.01)', \
     $D2 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'dimensions holding 90% of the KL'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'β = 0.5': x y
$D3 << EOD
1 2.13887
2 2.07709
3 1.97943
4 1.94335
5 1.9002
6 1.88689
7 1.88633
8 1.87876
9 1.8708
10 1.8472
11 1.81568
12 1.78195
13 1.76092
14 1.7048
15 1.66809
16 1.66341
17 1.5616
18 1.54872
19 1.49009
20 1.42441
EOD
# series 'β = 1': x y
$D4 << EOD
1 1.72454
2 1.6476
3 1.62358
4 1.56575
5 1.47623
6 1.45951
7 1.40038
8 1.35477
9 1.34572
10 1.34218
11 1.3031
12 1.30236
13 1.29526
14 1.28881
15 1.26497
16 1.24213
17 1.16878
18 1.02325
19 1.01534
20 0.987057
EOD
# series 'β = 2': x y
$D5 << EOD
1 1.49044
2 1.30048
3 1.19916
4 1.14845
5 1.13977
6 1.02971
7 1.0133
8 0.972676
9 0.9658
10 0.910073
11 0.892159
12 0.855137
13 0.832016
14 0.793066
15 0.759747
16 0.736311
17 0.719132
18 0.463514
19 0.441185
20 0.398147
EOD
# series 'β = 4': x y
$D6 << EOD
1 1.38839
2 0.98132
3 0.948965
4 0.941694
5 0.83504
6 0.821549
7 0.812712
8 0.65451
9 0.530383
10 0.337627
11 0.319283
12 0.295287
13 0.242025
14 0.239383
15 0.16745
16 0.165365
17 0.144721
18 0.120177
19 0.101596
20 0.055368
EOD
# series 'β = 8': x y
$D7 << EOD
1 0.874022
2 0.872296
3 0.788362
4 0.744882
5 0.329932
6 0.263122
7 0.121829
8 0.0835117
9 0.0484612
10 0.0405553
11 0.0395346
12 0.0320483
13 0.0174093
14 0.0141672
15 0.0130269
16 0.0125591
17 0.00934562
18 0.0090332
19 0.00624838
20 0.00480618
EOD
set title 'KL per dimension, sorted (nats per test image; floor 0.001)' font ',12'
set xlabel 'dimension, by rank'
set ylabel 'KL_d [nats]'
set logscale y
set format y '%g'
set xrange [0.5:20.5]
set yrange [0.00240309:4.27775]
set grid lc rgb '#dddddd'
set xtics 2
set key bottom left Left reverse opaque box lc rgb '#bbbbbb'
plot $D3 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'β = 0.5', \
     $D4 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'β = 1', \
     $D5 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#2ca02c' title 'β = 2', \
     $D6 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#d62728' title 'β = 4', \
     $D7 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#9467bd' title 'β = 8'
unset multiplot
unset output
