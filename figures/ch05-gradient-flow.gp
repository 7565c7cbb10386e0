# ch05-gradient-flow.png: a gnuplot script written by VAECore (Sources/VAECore/Plot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch05-gradient-flow.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1400,950 noenhanced font 'Sans,10'
set output 'ch05-gradient-flow.png'
set encoding utf8
set multiplot layout 2,2 title 'Gradient flow in the VAE: each layer''s gradient norm ‖∂/∂θ‖₂ on a fixed batch of 128 training digits, per term of the loss' font ',13'

# ---- panel 1 of 4 ----
# series 'encoder.conv1': x y
$D1 << EOD
0 5.42506
1 6.27873
2 4.1125
3 5.84786
4 6.38021
5 5.86414
6 7.79562
7 7.34006
8 7.39429
9 6.93003
10 7.34368
11 9.5962
12 9.06707
13 8.2879
14 7.31958
15 8.11273
16 8.73502
17 7.12109
18 7.82452
19 7.63335
20 7.2907
21 7.79748
22 7.14224
23 8.55421
24 7.80632
25 7.8609
26 8.32043
27 7.63406
28 9.84274
29 6.32452
30 6.86202
EOD
# series 'encoder.bn1': x y
$D2 << EOD
0 1.0639
1 0.972997
2 1.04583
3 1.82134
4 2.8422
5 2.2136
6 2.84668
7 2.71305
8 2.82122
9 3.12875
10 3.64697
11 3.65923
12 3.59389
13 3.97975
14 3.49815
15 4.1033
16 3.61263
17 3.78764
18 4.37592
19 3.57126
20 4.39341
21 3.81164
22 3.65314
23 3.70976
24 3.61701
25 3.63548
26 3.61829
27 3.88123
28 4.29439
29 3.35697
30 3.48495
EOD
# series 'encoder.conv2': x y
$D3 << EOD
0 34.0028
1 15.6375
2 12.1815
3 13.5584
4 14.4192
5 12.4288
6 16.8271
7 14.299
8 13.3126
9 12.3295
10 14.4315
11 15.913
12 17.8688
13 14.5895
14 13.5517
15 16.5267
16 14.1002
17 13.6387
18 15.5589
19 14.0527
20 13.7941
21 14.166
22 13.411
23 14.4051
24 14.143
25 14.4497
26 14.2673
27 14.1742
28 17.5676
29 13.33
30 15.0422
EOD
# series 'encoder.bn2': x y
$D4 << EOD
0 1.80492
1 14.4832
2 20.7217
3 28.4766
4 31.6625
5 30.5278
6 42.6106
7 36.2548
8 37.7537
9 36.4207
10 43.6217
11 47.5839
12 48.7018
13 46.2413
14 42.3027
15 51.1903
16 41.4423
17 44.0685
18 50.511
19 44.5124
20 46.2286
21 46.3291
22 39.8538
23 43.5463
24 44.5175
25 42.9338
26 41.5283
27 42.7555
28 51.7312
29 40.8965
30 42.8538
EOD
# series 'encoder.fc': x y
$D5 << EOD
0 111.506
1 88.1385
2 76.1172
3 73.8466
4 67.012
5 47.366
6 40.6202
7 43.29
8 38.3722
9 31.1178
10 32.1555
11 31.3351
12 33.4253
13 26.1199
14 28.7067
15 30.1742
16 27.1859
17 24.1533
18 28.1898
19 26.7788
20 30.1254
21 27.7138
22 28.5893
23 23.3643
24 25.9409
25 27.3714
26 24.2619
27 25.2991
28 28.668
29 22.0673
30 29.0769
EOD
# series 'decoder.fc': x y
$D6 << EOD
0 16.9179
1 9.09445
2 8.77838
3 8.77564
4 8.87812
5 8.38127
6 8.60807
7 8.66457
8 7.92198
9 8.17622
10 8.03714
11 8.25764
12 8.30436
13 7.74066
14 8.34242
15 7.85409
16 8.48185
17 8.05322
18 8.49055
19 8.07354
20 8.40012
21 8.07721
22 7.98743
23 8.16442
24 8.34039
25 8.59896
26 8.09272
27 8.27209
28 8.42367
29 7.85939
30 8.5976
EOD
# series 'decoder.deconv1': x y
$D7 << EOD
0 282.883
1 15.5687
2 15.4176
3 12.2971
4 13.0369
5 11.237
6 14.205
7 14.2125
8 10.8176
9 9.88545
10 9.92812
11 11.492
12 10.8374
13 8.96883
14 9.69157
15 9.20662
16 10.359
17 9.03177
18 9.46411
19 8.96566
20 9.83841
21 10.1158
22 9.98235
23 9.28439
24 9.40018
25 10.5939
26 10.2224
27 8.96608
28 10.5513
29 9.5739
30 9.79774
EOD
# series 'decoder.bn1': x y
$D8 << EOD
0 157.633
1 4.13798
2 3.88246
3 1.18502
4 0.929147
5 1.51751
6 6.58375
7 6.49079
8 1.44766
9 0.999851
10 2.48948
11 3.78549
12 4.98958
13 1.43746
14 0.967454
15 1.76456
16 1.89429
17 0.91262
18 1.23644
19 2.88482
20 0.803651
21 0.865956
22 2.37885
23 2.54831
24 1.61358
25 2.66156
26 2.54843
27 0.793421
28 2.79452
29 1.25383
30 2.0844
EOD
# series 'decoder.deconv2': x y
$D9 << EOD
0 711.971
1 11.2841
2 9.76469
3 5.22079
4 4.71931
5 4.9904
6 14.9867
7 14.194
8 6.09786
9 3.55892
10 6.35905
11 8.68978
12 10.7793
13 4.64475
14 3.7962
15 4.4707
16 5.05173
17 3.97128
18 3.78602
19 6.28351
20 3.24339
21 3.2898
22 5.02812
23 5.90176
24 4.02068
25 5.83813
26 5.50926
27 3.18215
28 5.70522
29 3.88391
30 4.68956
EOD
set title 'Reconstruction term −log p(x|z): every layer' font ',12'
set xlabel 'epoch (0: the initial weights)'
set ylabel 'gradient norm'
set logscale y
set format y '%g'
set grid lc rgb '#dddddd'
set xtics 5
set key outside right top
plot $D1 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#1f77b4' title 'encoder.conv1', \
     $D2 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#ff7f0e' title 'encoder.bn1', \
     $D3 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#2ca02c' title 'encoder.conv2', \
     $D4 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#d62728' title 'encoder.bn2', \
     $D5 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#9467bd' title 'encoder.fc', \
     $D6 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#8c564b' title 'decoder.fc', \
     $D7 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#e377c2' title 'decoder.deconv1', \
     $D8 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#7f7f7f' title 'decoder.bn1', \
     $D9 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#bcbd22' title 'decoder.deconv2'

# ---- panel 2 of 4 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'encoder.conv1': x y
$D10 << EOD
0 1.6305
1 2.92442
2 4.20219
3 4.39592
4 4.65921
5 5.48047
6 5.58353
7 5.8266
8 6.10386
9 6.32778
10 6.38753
11 6.56023
12 6.71445
13 6.58553
14 6.71678
15 6.89386
16 6.37721
17 6.96716
18 6.62231
19 7.18811
20 7.13092
21 7.23049
22 6.39861
23 7.4859
24 7.06932
25 6.84904
26 7.02995
27 7.09329
28 7.052
29 6.97339
30 7.17478
EOD
# series 'encoder.bn1': x y
$D11 << EOD
0 0.424072
1 0.932869
2 1.47622
3 1.68959
4 1.97909
5 2.39986
6 2.44377
7 2.63071
8 2.74608
9 2.97907
10 3.15861
11 2.92109
12 3.06374
13 3.35262
14 3.35877
15 3.44828
16 3.55621
17 3.62892
18 3.55273
19 3.49239
20 3.66108
21 3.43521
22 3.68635
23 3.52989
24 3.50611
25 3.58232
26 3.54804
27 3.58616
28 3.5315
29 3.5051
30 3.51593
EOD
# series 'encoder.conv2': x y
$D12 << EOD
0 12.3347
1 9.04936
2 9.57497
3 10.061
4 10.4476
5 10.7708
6 10.829
7 11.0319
8 11.1123
9 11.3717
10 11.8116
11 11.9273
12 12.2471
13 12.1819
14 12.5879
15 12.648
16 12.5066
17 12.6841
18 12.7247
19 13.2618
20 13.065
21 13.3805
22 13.1537
23 13.8736
24 13.5915
25 13.5053
26 13.6555
27 13.7716
28 13.7352
29 13.6396
30 13.8721
EOD
# series 'encoder.bn2': x y
$D13 << EOD
0 1.09039
1 13.9469
2 19.3891
3 23.39
4 26.6279
5 30.2443
6 30.895
7 33.3453
8 36.1782
9 37.09
10 37.9293
11 39.8741
12 40.4869
13 41.5688
14 42.7166
15 42.5733
16 43.0666
17 43.3043
18 43.8914
19 44.9001
20 43.5918
21 44.7676
22 44.6716
23 44.7124
24 45.0784
25 44.4347
26 45.0368
27 44.3649
28 44.346
29 44.5044
30 44.9954
EOD
# series 'encoder.fc': x y
$D14 << EOD
0 40.4959
1 42.1712
2 31.2678
3 24.8068
4 21.4362
5 19.4576
6 16.8852
7 15.9447
8 14.9212
9 14.1137
10 13.2388
11 12.8099
12 12.3001
13 12.1439
14 11.9175
15 11.5591
16 11.5041
17 11.2884
18 11.1524
19 11.2369
20 11.186
21 11.1777
22 11.1764
23 11.214
24 11.1979
25 11.2577
26 11.2792
27 11.255
28 11.2506
29 11.324
30 11.3784
EOD
set title 'KL term: the encoder only (the decoder gets none)' font ',12'
set xlabel 'epoch (0: the initial weights)'
set ylabel 'gradient norm'
set logscale y
set format y '%g'
set grid lc rgb '#dddddd'
set xtics 5
set key outside right top
plot $D10 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#1f77b4' title 'encoder.conv1', \
     $D11 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#ff7f0e' title 'encoder.bn1', \
     $D12 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#2ca02c' title 'encoder.conv2', \
     $D13 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#d62728' title 'encoder.bn2', \
     $D14 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#9467bd' title 'encoder.fc'

# ---- panel 3 of 4 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'encoder.conv1': x y
$D15 << EOD
0 0.300549
1 0.465766
2 1.02181
3 0.751715
4 0.73026
5 0.934574
6 0.716239
7 0.793808
8 0.825483
9 0.913095
10 0.869801
11 0.683628
12 0.740531
13 0.794596
14 0.917646
15 0.849759
16 0.730074
17 0.978384
18 0.846354
19 0.941672
20 0.978084
21 0.927285
22 0.895882
23 0.875113
24 0.905589
25 0.87128
26 0.844903
27 0.929164
28 0.716468
29 1.1026
30 1.04558
EOD
# series 'encoder.bn1': x y
$D16 << EOD
0 0.398602
1 0.958759
2 1.41153
3 0.927663
4 0.696324
5 1.08414
6 0.858464
7 0.969651
8 0.973366
9 0.952161
10 0.866092
11 0.798278
12 0.852487
13 0.84242
14 0.960155
15 0.84037
16 0.984383
17 0.958096
18 0.811882
19 0.977917
20 0.83331
21 0.901242
22 1.00909
23 0.951516
24 0.96934
25 0.985375
26 0.980584
27 0.923974
28 0.822352
29 1.04412
30 1.00889
EOD
# series 'encoder.conv2': x y
$D17 << EOD
0 0.362756
1 0.578696
2 0.786026
3 0.742054
4 0.724566
5 0.866598
6 0.643547
7 0.771514
8 0.834722
9 0.92232
10 0.818459
11 0.749534
12 0.685387
13 0.834976
14 0.928878
15 0.765303
16 0.886981
17 0.93001
18 0.81784
19 0.943716
20 0.947141
21 0.944553
22 0.980816
23 0.963104
24 0.961005
25 0.934642
26 0.957122
27 0.971595
28 0.781848
29 1.02323
30 0.922212
EOD
# series 'encoder.bn2': x y
$D18 << EOD
0 0.604122
1 0.962973
2 0.93569
3 0.821376
4 0.840992
5 0.990714
6 0.725055
7 0.919751
8 0.958268
9 1.01838
10 0.869505
11 0.837975
12 0.831321
13 0.898953
14 1.00978
15 0.831668
16 1.03919
17 0.982659
18 0.868947
19 1.00871
20 0.942962
21 0.966295
22 1.12089
23 1.02678
24 1.0126
25 1.03496
26 1.08448
27 1.03764
28 0.85724
29 1.08822
30 1.04998
EOD
# series 'encoder.fc': x y
$D19 << EOD
0 0.363171
1 0.478465
2 0.410785
3 0.335923
4 0.319886
5 0.410792
6 0.415685
7 0.368323
8 0.388855
9 0.453558
10 0.411712
11 0.408803
12 0.367987
13 0.464928
14 0.415147
15 0.38308
16 0.423164
17 0.467362
18 0.395619
19 0.419621
20 0.371316
21 0.403328
22 0.39093
23 0.479964
24 0.431668
25 0.411293
26 0.464892
27 0.444877
28 0.392444
29 0.513158
30 0.391322
EOD
set title 'KL against reconstruction in the encoder: ‖g_KL‖ / ‖g_rec‖' font ',12'
set xlabel 'epoch (0: the initial weights)'
set ylabel 'ratio'
set logscale y
set format y '%g'
set grid lc rgb '#dddddd'
set xtics 5
set key outside right top
plot $D15 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#1f77b4' title 'encoder.conv1', \
     $D16 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#ff7f0e' title 'encoder.bn1', \
     $D17 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#2ca02c' title 'encoder.conv2', \
     $D18 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#d62728' title 'encoder.bn2', \
     $D19 using 1:2 with linespoints lw 1.5 pt 7 ps 0.75 lc rgb '#9467bd' title 'encoder.fc'

# ---- panel 4 of 4 ----
reset   # forget the previous panel's settings (not the terminal or data)
# bars 'reconstruction': x, top, left, right, bottom, top, error
$D20 << EOD
-0.2 6.86202 -0.4 0 1.0422 6.86202 0
0.8 3.48495 0.6 1 1.0422 3.48495 0
1.8 15.0422 1.6 2 1.0422 15.0422 0
2.8 42.8538 2.6 3 1.0422 42.8538 0
3.8 29.0769 3.6 4 1.0422 29.0769 0
4.8 8.5976 4.6 5 1.0422 8.5976 0
5.8 9.79774 5.6 6 1.0422 9.79774 0
6.8 2.0844 6.6 7 1.0422 2.0844 0
7.8 4.68956 7.6 8 1.0422 4.68956 0
EOD
# bars 'KL': x, top, left, right, bottom, top, error
$D21 << EOD
0.2 7.17478 5.55112e-17 0.4 1.0422 7.17478 0
1.2 3.51593 1 1.4 1.0422 3.51593 0
2.2 13.8721 2 2.4 1.0422 13.8721 0
3.2 44.9954 3 3.4 1.0422 44.9954 0
4.2 11.3784 4 4.4 1.0422 11.3784 0
5.2 NaN 5 5.4 1.0422 NaN 0
6.2 NaN 6 6.4 1.0422 NaN 0
7.2 NaN 7 7.4 1.0422 NaN 0
8.2 NaN 8 8.4 1.0422 NaN 0
EOD
set title 'After epoch 30: both terms per layer' font ',12'
set ylabel 'gradient norm'
set logscale y
set format y '%g'
set grid lc rgb '#dddddd'
set xtics ('enc.conv1' 0, 'enc.bn1' 1, 'enc.conv2' 2, 'enc.bn2' 3, 'enc.fc' 4, 'dec.fc' 5, 'dec.deconv1' 6, 'dec.bn1' 7, 'dec.deconv2' 8) rotate by 30 right
set key top right Left reverse opaque box lc rgb '#bbbbbb'
set yrange [1.0422:*]
set xrange [-0.6:8.6]
set style fill solid 0.85 border lc rgb '#333333'
set grid noxtics
plot $D20 using 1:2:3:4:5:6 with boxxyerror lc rgb '#1f77b4' title 'reconstruction', \
     $D21 using 1:2:3:4:5:6 with boxxyerror lc rgb '#d62728' title 'KL'
unset multiplot
unset output
