# ch05-gradient-flow.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
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
1 6.47085
2 4.11583
3 5.74321
4 6.5692
5 5.54435
6 7.89253
7 7.50141
8 7.30966
9 6.53813
10 7.14944
11 9.20839
12 8.99017
13 8.0509
14 6.6719
15 8.03505
16 8.53595
17 7.00218
18 8.15377
19 7.3322
20 6.89396
21 7.67869
22 7.02782
23 7.85124
24 7.81061
25 7.91695
26 8.1437
27 7.7031
28 9.82086
29 6.29951
30 6.55828
EOD
# series 'encoder.bn1': x y
$D2 << EOD
0 1.0639
1 0.964083
2 1.0524
3 1.83264
4 2.93312
5 2.35146
6 2.89428
7 2.67164
8 2.81518
9 3.25047
10 3.70095
11 3.60845
12 3.63067
13 4.17445
14 3.38286
15 4.15059
16 3.45189
17 3.91953
18 4.70013
19 3.75775
20 4.44552
21 3.91389
22 3.61297
23 3.91523
24 3.73675
25 3.68878
26 3.55661
27 4.03862
28 4.37143
29 3.69318
30 3.75872
EOD
# series 'encoder.conv2': x y
$D3 << EOD
0 34.0028
1 15.5031
2 12.2274
3 13.2317
4 14.6897
5 12.5162
6 16.759
7 14.4046
8 13.5365
9 12.3898
10 14.3262
11 15.5521
12 17.922
13 14.3452
14 13.0193
15 16.5242
16 13.8726
17 13.5635
18 16.0271
19 14.0164
20 13.4866
21 14.5944
22 13.5711
23 13.9941
24 14.0737
25 14.549
26 14.3409
27 14.5183
28 17.5309
29 13.0196
30 15.0952
EOD
# series 'encoder.bn2': x y
$D4 << EOD
0 1.80492
1 14.436
2 20.5152
3 28.4708
4 31.8267
5 30.154
6 42.1199
7 36.9297
8 37.1051
9 36.5407
10 43.8972
11 47.4317
12 49.1635
13 45.2062
14 41.6316
15 50.8549
16 40.8936
17 43.8721
18 51.7084
19 44.4049
20 45.6831
21 46.0721
22 40.2564
23 43.5672
24 43.8182
25 43.2075
26 40.8242
27 42.3549
28 50.9891
29 40.1319
30 43.0967
EOD
# series 'encoder.fc': x y
$D5 << EOD
0 111.506
1 92.6302
2 75.1122
3 74.8702
4 67.8248
5 48.9125
6 41.042
7 43.1134
8 38.6109
9 31.1691
10 32.395
11 30.8203
12 33.0215
13 25.508
14 29.0127
15 30.9958
16 26.454
17 23.8259
18 28.6863
19 26.8434
20 30.1822
21 27.8485
22 28.2295
23 23.1323
24 25.0568
25 27.07
26 24.2337
27 26.3356
28 28.5021
29 22.9419
30 27.5854
EOD
# series 'decoder.fc': x y
$D6 << EOD
0 16.9179
1 9.22567
2 8.71249
3 8.79062
4 8.87181
5 8.40198
6 8.61007
7 8.65909
8 7.9214
9 8.23302
10 8.0886
11 8.26582
12 8.30869
13 7.73
14 8.28897
15 7.89293
16 8.48857
17 8.06408
18 8.53457
19 8.07413
20 8.27541
21 8.08727
22 7.94981
23 8.15298
24 8.22133
25 8.66574
26 8.14217
27 8.37213
28 8.42322
29 7.90161
30 8.53499
EOD
# series 'decoder.deconv1': x y
$D7 << EOD
0 282.883
1 15.6997
2 15.4653
3 12.2093
4 13.1454
5 11.2137
6 14.2509
7 14.6184
8 10.6574
9 9.74872
10 10.0515
11 11.5577
12 10.7813
13 8.99463
14 9.61569
15 9.3001
16 10.3943
17 9.05863
18 9.73974
19 8.88331
20 9.98703
21 10.0619
22 9.94824
23 9.38717
24 9.22462
25 10.5106
26 10.1122
27 8.92207
28 10.3108
29 9.70391
30 9.8058
EOD
# series 'decoder.bn1': x y
$D8 << EOD
0 157.633
1 4.12607
2 3.85351
3 1.23176
4 0.900746
5 1.50707
6 6.54181
7 6.74256
8 1.35703
9 0.953812
10 2.81826
11 3.90023
12 5.07073
13 1.37879
14 0.991353
15 1.83644
16 1.88051
17 0.937734
18 1.34228
19 2.78294
20 0.806652
21 0.809614
22 2.39413
23 2.37073
24 1.49205
25 2.55011
26 2.33234
27 0.759243
28 2.58611
29 1.13984
30 2.00268
EOD
# series 'decoder.deconv2': x y
$D9 << EOD
0 711.971
1 11.3078
2 9.68548
3 5.30752
4 4.63881
5 5.03734
6 14.9093
7 14.6826
8 5.8485
9 3.3981
10 6.88914
11 8.93668
12 10.9672
13 4.5631
14 3.79234
15 4.59885
16 4.96467
17 4.06289
18 3.89233
19 6.11766
20 3.26406
21 3.30816
22 5.06179
23 5.63414
24 3.80913
25 5.70259
26 5.15195
27 3.11024
28 5.321
29 3.70138
30 4.50774
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
1 2.85457
2 4.0228
3 4.39578
4 4.65662
5 5.41123
6 5.54377
7 5.95212
8 6.06626
9 6.03166
10 6.03294
11 6.30603
12 6.48622
13 6.30361
14 6.192
15 6.39393
16 6.42157
17 6.8548
18 6.62057
19 7.04571
20 6.98026
21 6.93729
22 6.32444
23 7.15767
24 7.10263
25 6.86352
26 7.09206
27 7.15029
28 7.11243
29 7.00608
30 7.16121
EOD
# series 'encoder.bn1': x y
$D11 << EOD
0 0.424072
1 0.948222
2 1.44625
3 1.69814
4 2.02752
5 2.42734
6 2.51761
7 2.55982
8 2.72581
9 3.02492
10 3.14402
11 2.94749
12 3.09563
13 3.48972
14 3.28953
15 3.45683
16 3.5215
17 3.65956
18 3.5766
19 3.52179
20 3.6886
21 3.41524
22 3.5321
23 3.64294
24 3.61356
25 3.56529
26 3.5356
27 3.67104
28 3.57766
29 3.78494
30 3.66809
EOD
# series 'encoder.conv2': x y
$D12 << EOD
0 12.3347
1 9.08709
2 9.41218
3 9.94157
4 10.6424
5 10.8828
6 10.8177
7 11.1219
8 11.301
9 11.3984
10 11.6583
11 11.8312
12 12.2054
13 12.1379
14 12.0401
15 12.5412
16 12.7179
17 12.8437
18 12.6631
19 13.1254
20 13.0108
21 13.2845
22 13.2455
23 13.6032
24 13.5057
25 13.7211
26 13.6142
27 13.9532
28 13.9255
29 13.6566
30 14.1116
EOD
# series 'encoder.bn2': x y
$D13 << EOD
0 1.09039
1 13.8873
2 19.5023
3 23.3175
4 26.5251
5 30.3041
6 30.8868
7 33.6857
8 36.0721
9 37.1839
10 38.2282
11 40.315
12 40.5668
13 41.4039
14 42.9805
15 42.8385
16 43.6288
17 43.6344
18 44.0422
19 44.6922
20 43.8871
21 43.9252
22 44.5737
23 45.253
24 44.6174
25 44.8339
26 44.7157
27 44.2959
28 44.4445
29 44.2213
30 44.9218
EOD
# series 'encoder.fc': x y
$D14 << EOD
0 40.4959
1 42.3148
2 31.2385
3 24.8634
4 21.4377
5 19.4829
6 16.8972
7 15.9923
8 14.953
9 14.1647
10 13.2232
11 12.8633
12 12.2747
13 12.1466
14 11.9129
15 11.5662
16 11.5143
17 11.2932
18 11.1828
19 11.2372
20 11.1923
21 11.1856
22 11.1653
23 11.2169
24 11.2261
25 11.2724
26 11.2784
27 11.2485
28 11.2484
29 11.3233
30 11.3829
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
1 0.441142
2 0.977396
3 0.765387
4 0.708857
5 0.97599
6 0.702407
7 0.793467
8 0.829896
9 0.922537
10 0.843835
11 0.684813
12 0.721479
13 0.78297
14 0.928071
15 0.795755
16 0.752297
17 0.978952
18 0.811964
19 0.960928
20 1.01252
21 0.903446
22 0.899915
23 0.911661
24 0.909356
25 0.86694
26 0.870864
27 0.928236
28 0.724216
29 1.11216
30 1.09193
EOD
# series 'encoder.bn1': x y
$D16 << EOD
0 0.398602
1 0.983548
2 1.37424
3 0.926609
4 0.69125
5 1.03227
6 0.869858
7 0.958147
8 0.968254
9 0.930611
10 0.849516
11 0.816829
12 0.852634
13 0.835971
14 0.972411
15 0.832854
16 1.02017
17 0.933673
18 0.760957
19 0.937206
20 0.829734
21 0.872596
22 0.977615
23 0.930452
24 0.967032
25 0.966524
26 0.994094
27 0.908985
28 0.818419
29 1.02485
30 0.975889
EOD
# series 'encoder.conv2': x y
$D17 << EOD
0 0.362756
1 0.586148
2 0.76976
3 0.751343
4 0.724478
5 0.869496
6 0.645488
7 0.77211
8 0.834857
9 0.919983
10 0.813778
11 0.760744
12 0.68103
13 0.846131
14 0.924789
15 0.758959
16 0.91676
17 0.946932
18 0.790103
19 0.936433
20 0.964718
21 0.910246
22 0.97601
23 0.972065
24 0.959641
25 0.943093
26 0.949329
27 0.961076
28 0.794339
29 1.04892
30 0.93484
EOD
# series 'encoder.bn2': x y
$D18 << EOD
0 0.604122
1 0.961993
2 0.950623
3 0.818999
4 0.833423
5 1.00498
6 0.733307
7 0.912157
8 0.97216
9 1.0176
10 0.870856
11 0.84996
12 0.825139
13 0.91589
14 1.0324
15 0.842368
16 1.06689
17 0.994584
18 0.851742
19 1.00647
20 0.960685
21 0.953403
22 1.10725
23 1.03869
24 1.01824
25 1.03764
26 1.09532
27 1.04583
28 0.871648
29 1.1019
30 1.04235
EOD
# series 'encoder.fc': x y
$D19 << EOD
0 0.363171
1 0.456814
2 0.415892
3 0.332087
4 0.316075
5 0.398321
6 0.411704
7 0.370936
8 0.387276
9 0.454446
10 0.408188
11 0.417365
12 0.371719
13 0.476189
14 0.410611
15 0.373154
16 0.435258
17 0.473988
18 0.389829
19 0.418621
20 0.370824
21 0.401659
22 0.395517
23 0.484903
24 0.448026
25 0.416417
26 0.465404
27 0.427122
28 0.394653
29 0.493562
30 0.412642
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
-0.2 6.55828 -0.4 0 1.00134 6.55828 0
0.8 3.75872 0.6 1 1.00134 3.75872 0
1.8 15.0952 1.6 2 1.00134 15.0952 0
2.8 43.0967 2.6 3 1.00134 43.0967 0
3.8 27.5854 3.6 4 1.00134 27.5854 0
4.8 8.53499 4.6 5 1.00134 8.53499 0
5.8 9.8058 5.6 6 1.00134 9.8058 0
6.8 2.00268 6.6 7 1.00134 2.00268 0
7.8 4.50774 7.6 8 1.00134 4.50774 0
EOD
# bars 'KL': x, top, left, right, bottom, top, error
$D21 << EOD
0.2 7.16121 5.55112e-17 0.4 1.00134 7.16121 0
1.2 3.66809 1 1.4 1.00134 3.66809 0
2.2 14.1116 2 2.4 1.00134 14.1116 0
3.2 44.9218 3 3.4 1.00134 44.9218 0
4.2 11.3829 4 4.4 1.00134 11.3829 0
5.2 NaN 5 5.4 1.00134 NaN 0
6.2 NaN 6 6.4 1.00134 NaN 0
7.2 NaN 7 7.4 1.00134 NaN 0
8.2 NaN 8 8.4 1.00134 NaN 0
EOD
set title 'After epoch 30: both terms per layer' font ',12'
set ylabel 'gradient norm'
set logscale y
set format y '%g'
set grid lc rgb '#dddddd'
set xtics ('enc.conv1' 0, 'enc.bn1' 1, 'enc.conv2' 2, 'enc.bn2' 3, 'enc.fc' 4, 'dec.fc' 5, 'dec.deconv1' 6, 'dec.bn1' 7, 'dec.deconv2' 8) rotate by 30 right
set key top right Left reverse opaque box lc rgb '#bbbbbb'
set yrange [1.00134:*]
set xrange [-0.6:8.6]
set style fill solid 0.85 border lc rgb '#333333'
set grid noxtics
plot $D20 using 1:2:3:4:5:6 with boxxyerror lc rgb '#1f77b4' title 'reconstruction', \
     $D21 using 1:2:3:4:5:6 with boxxyerror lc rgb '#d62728' title 'KL'
unset multiplot
unset output
