# ch09-latent.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch09-latent.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1500,1050 noenhanced font 'Sans,10'
set output 'ch09-latent.png'
set encoding utf8
set multiplot layout 2,2 title 'The size of the code, D: every model the baseline with another D (test set, 2 epochs)' font ',13'

# ---- panel 1 of 4 ----
# series 'NLL, k = 1000 (seed 1)': x y
$D1 << EOD
2 159.656
5 131.162
10 110.387
20 101.538
50 100.11
100 102.48
EOD
# series '−ELBO, seed 1': x y
$D2 << EOD
2 165.486
5 134.093
10 115.154
20 107.912
50 109.239
100 113.344
EOD
# series '−ELBO, seed 2': x y
$D3 << EOD
2 166.173
5 135.561
10 118.149
20 108.377
50 109.949
100 113.936
EOD
set title 'NLL and −ELBO' font ',12'
set xlabel 'latent dimensions D (log scale)'
set ylabel 'nats per image'
set logscale x
set format x '%g'
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with linespoints lw 2.5 pt 7 ps 1.25 lc rgb '#1f77b4' title 'NLL, k = 1000 (seed 1)', \
     $D2 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title '−ELBO, seed 1', \
     $D3 using 1:2 with lines lw 2 dt 2 lc rgb '#2ca02c' title '−ELBO, seed 2'

# ---- panel 2 of 4 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'reconstruction, seed 1': x y
$D4 << EOD
2 160.323
5 123.35
10 97.2007
20 82.053
50 77.8491
100 81.8663
EOD
# series 'KL, seed 1': x y
$D5 << EOD
2 5.16361
5 10.7434
10 17.9533
20 25.8593
50 31.3899
100 31.4778
EOD
# series 'reconstruction, seed 2': x y
$D6 << EOD
2 161.085
5 124.958
10 101.168
20 82.8309
50 78.2533
100 82.1571
EOD
# series 'KL, seed 2': x y
$D7 << EOD
2 5.08759
5 10.6032
10 16.9808
20 25.5461
50 31.696
100 31.7788
EOD
set title 'The ELBO''s two terms' font ',12'
set xlabel 'latent dimensions D (log scale)'
set ylabel 'nats per image'
set logscale x
set format x '%g'
set grid lc rgb '#dddddd'
set key outside right top
plot $D4 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'reconstruction, seed 1', \
     $D5 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#d62728' title 'KL, seed 1', \
     $D6 using 1:2 with lines lw 2 dt 2 lc rgb '#1f77b4' title 'reconstruction, seed 2', \
     $D7 using 1:2 with lines lw 2 dt 2 lc rgb '#d62728' title 'KL, seed 2'

# ---- panel 3 of 4 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'D (every dimension)': x y
$D8 << EOD
2 2
5 5
10 10
20 20
50 50
100 100
EOD
# series 'active units (Var_x μ_d > 0.01)': x y
$D9 << EOD
2 2
5 5
10 10
20 20
50 50
100 100
EOD
# series 'dimensions holding 90% of the KL': x y
$D10 << EOD
2 2
5 5
10 9
20 18
50 35
100 50
EOD
set title 'Dimensions the code uses' font ',12'
set xlabel 'latent dimensions D (log scale)'
set ylabel 'dimensions (log scale)'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set grid lc rgb '#dddddd'
set key top left Left reverse opaque box lc rgb '#bbbbbb'
plot $D8 using 1:2 with lines lw 1 dt 2 lc rgb '#999999' title 'D (every dimension)', \
     $D9 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'active units (Var_x μ_d > 0.01)', \
     $D10 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#2ca02c' title 'dimensions holding 90% of the KL'

# ---- panel 4 of 4 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'D = 2': x y
$D11 << EOD
1 2.81188
2 2.35174
EOD
# series 'D = 5': x y
$D12 << EOD
1 2.23243
2 2.19268
3 2.16991
4 2.13068
5 2.01773
EOD
# series 'D = 10': x y
$D13 << EOD
1 1.95515
2 1.95426
3 1.86819
4 1.83024
5 1.79138
6 1.78193
7 1.76935
8 1.74293
9 1.64781
10 1.61211
EOD
# series 'D = 20': x y
$D14 << EOD
1 1.6482
2 1.57288
3 1.54393
4 1.49612
5 1.4079
6 1.37568
7 1.35666
8 1.35128
9 1.28358
10 1.27954
11 1.2666
12 1.2584
13 1.22528
14 1.22387
15 1.22081
16 1.20362
17 1.15752
18 1.03856
19 0.999429
20 0.949465
EOD
# series 'D = 50': x y
$D15 << EOD
1 1.57034
2 1.3212
3 1.29366
4 1.2824
5 1.22361
6 1.17218
7 1.10482
8 1.10173
9 1.08856
10 1.06476
11 1.0451
12 1.0355
13 0.9357
14 0.93117
15 0.901921
16 0.901592
17 0.867885
18 0.867315
19 0.832707
20 0.789182
21 0.724093
22 0.714997
23 0.680124
24 0.555403
25 0.509678
26 0.467028
27 0.451264
28 0.43916
29 0.433486
30 0.429949
31 0.414146
32 0.377696
33 0.363258
34 0.324001
35 0.322693
36 0.319626
37 0.317893
38 0.266849
39 0.241183
40 0.219384
41 0.218513
42 0.212131
43 0.193348
44 0.191047
45 0.188763
46 0.165142
47 0.124263
48 0.0876903
49 0.0543309
50 0.0514612
EOD
# series 'D = 100': x y
$D16 << EOD
1 1.41252
2 1.25249
3 1.22437
4 1.22185
5 1.14768
6 1.08875
7 1.08763
8 1.0304
9 1.00836
10 0.976913
11 0.951435
12 0.944884
13 0.917577
14 0.883006
15 0.871884
16 0.837491
17 0.766546
18 0.687637
19 0.667247
20 0.637187
21 0.613546
22 0.561238
23 0.533367
24 0.504568
25 0.50337
26 0.493639
27 0.436024
28 0.401423
29 0.398856
30 0.376906
31 0.30788
32 0.304279
33 0.286236
34 0.269981
35 0.258697
36 0.253145
37 0.219442
38 0.214619
39 0.198718
40 0.191606
41 0.174462
42 0.172708
43 0.156943
44 0.152045
45 0.138163
46 0.130404
47 0.124842
48 0.123586
49 0.122284
50 0.117993
51 0.107025
52 0.106579
53 0.105486
54 0.10332
55 0.0981961
56 0.0956473
57 0.0876792
58 0.0868238
59 0.086809
60 0.0851008
61 0.0820592
62 0.0799654
63 0.0797164
64 0.0785536
65 0.0770348
66 0.0766447
67 0.0739724
68 0.0738976
69 0.0724431
70 0.0644551
71 0.0640035
72 0.0622592
73 0.0616579
74 0.0615322
75 0.0609273
76 0.0589713
77 0.0586227
78 0.0578784
79 0.0554846
80 0.0549143
81 0.0546842
82 0.0531842
83 0.0520748
84 0.0506085
85 0.0503615
86 0.0495962
87 0.0446596
88 0.0432575
89 0.0427135
90 0.0389588
91 0.0381563
92 0.0368753
93 0.0364097
94 0.0329187
95 0.0327029
96 0.0321062
97 0.0310599
98 0.0301789
99 0.0268326
100 0.0259602
EOD
set title 'KL per dimension, largest first (seed 1; floor 0.001)' font ',12'
set xlabel 'rank (log scale)'
set ylabel 'KL_d [nats]'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D11 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#1f77b4' title 'D = 2', \
     $D12 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#ff7f0e' title 'D = 5', \
     $D13 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#2ca02c' title 'D = 10', \
     $D14 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#d62728' title 'D = 20', \
     $D15 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#9467bd' title 'D = 50', \
     $D16 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#8c564b' title 'D = 100'
unset multiplot
unset output
