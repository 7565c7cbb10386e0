# ch08-diversity.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch08-diversity.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1400,520 noenhanced font 'Sans,10'
set output 'ch08-diversity.png'
set encoding utf8
set multiplot layout 1,2 title 'Are the samples varied and balanced? (chapter 5''s model, z ~ N(0, I), in the judge''s features)' font ',13'

# ---- panel 1 of 2 ----
# series 'between two samples': x y
$D1 << EOD
4.05672 0
5.82329 0
7.58986 0
9.35644 5.10776e-05
11.123 0.000178772
12.8896 0.000715087
14.6562 0.00130248
16.4227 0.00283481
18.1893 0.00602716
19.9559 0.0102666
21.7224 0.0159107
23.489 0.0223209
25.2556 0.0311573
27.0222 0.0356011
28.7887 0.0437224
30.5553 0.0481917
32.3219 0.0484471
34.0885 0.0491111
35.855 0.0491622
37.6216 0.0433904
39.3882 0.0380018
41.1547 0.0320257
42.9213 0.0261517
44.6879 0.0185667
46.4545 0.0144805
48.221 0.0103177
49.9876 0.0060527
51.7542 0.00408621
53.5208 0.0030902
55.2873 0.00191541
57.0539 0.00127694
58.8205 0.000893858
60.5871 0.000383082
62.3536 0.00020431
64.1202 0.000102155
65.8868 0.000102155
67.6533 2.55388e-05
69.4199 0
71.1865 0
72.9531 0
EOD
# series 'between two real test digits': x y
$D2 << EOD
4.05672 0.000357543
5.82329 0.000664009
7.58986 0.00117479
9.35644 0.00160895
11.123 0.00209418
12.8896 0.00268158
14.6562 0.00257942
16.4227 0.00393298
18.1893 0.00390744
19.9559 0.00423944
21.7224 0.00556746
23.489 0.00554192
25.2556 0.00556746
27.0222 0.00551638
28.7887 0.00661455
30.5553 0.00796811
32.3219 0.00929613
34.0885 0.0109306
35.855 0.0140974
37.6216 0.019716
39.3882 0.0234446
41.1547 0.030902
42.9213 0.0376697
44.6879 0.0417304
46.4545 0.0423178
48.221 0.0453569
49.9876 0.0436458
51.7542 0.0433138
53.5208 0.0374399
55.2873 0.0312084
57.0539 0.0242108
58.8205 0.018107
60.5871 0.0136377
62.3536 0.00807026
64.1202 0.00546531
65.8868 0.00303912
67.6533 0.00153233
69.4199 0.000536315
71.1865 0.000229849
72.9531 0.000153233
EOD
set title 'Distances between pairs, in the judge''s 128 features' font ',12'
set xlabel 'distance'
set ylabel 'density'
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'between two samples', \
     $D2 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title 'between two real test digits'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'samples': x y
$D3 << EOD
0 4.15
1 4.2
2 13.65
3 15.3
4 12.35
5 9.45
6 4.35
7 9.2
8 17.5
9 9.85
EOD
# series 'uniform, 10%': x y
$D4 << EOD
0 10
9 10
EOD
set title 'Class the judge sees: entropy 3.166 bits [3.134, 3.190]' font ',12'
set xlabel 'digit'
set ylabel '% of samples'
set yrange [0:20]
set grid lc rgb '#dddddd'
set xtics ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '6' 6, '7' 7, '8' 8, '9' 9)
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D3 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'samples', \
     $D4 using 1:2 with lines lw 2 dt 2 lc rgb '#000000' title 'uniform, 10%'
unset multiplot
unset output
