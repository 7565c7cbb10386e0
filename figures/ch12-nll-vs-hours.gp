# ch12-nll-vs-hours.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch12-nll-vs-hours.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1300,650 noenhanced font 'Sans,10'
set output 'ch12-nll-vs-hours.png'
set encoding utf8
# series 'elbo-200: test −ELBO': x y
$D1 << EOD
0.0045873 111.638
0.00917461 105.59
0.0137619 102.764
0.0183492 101.329
0.0229365 100.446
0.0275238 99.6736
0.0321111 99.2312
0.0366984 98.6633
0.0412857 98.2227
0.045873 97.9861
0.0504603 97.6897
0.0550476 97.4924
0.059635 97.0242
0.0642223 96.9309
0.0688096 96.6505
0.0733969 96.568
0.0779842 96.4249
0.0825715 96.1624
0.0871588 96.0879
0.0917461 96.0587
0.0963334 95.8615
0.100921 95.6186
0.105508 95.4688
0.110095 95.6666
0.114683 95.1973
0.11927 95.1424
0.123857 95.0038
0.128445 95.0445
0.133032 94.8383
0.137619 94.7786
0.142206 94.7245
0.146794 94.6145
0.151381 94.6637
0.155968 94.4367
0.160556 94.4432
0.165143 94.3287
0.16973 94.1906
0.174318 94.2384
0.178905 94.1464
0.183492 94.0215
0.188079 94.204
0.192667 93.9593
0.197254 93.9365
0.201841 93.7987
0.206429 93.8564
0.211016 93.7927
0.215603 93.6149
0.220191 93.6948
0.224778 93.6314
0.229365 93.5733
0.233953 93.4655
0.23854 93.3881
0.243127 93.5613
0.247714 93.4186
0.252302 93.2329
0.256889 93.2582
0.261476 93.2861
0.266064 93.1681
0.270651 93.1305
0.275238 93.1204
0.279826 93.33
0.284413 92.9989
0.289 92.929
0.293587 92.8051
0.298175 92.8804
0.302762 92.8168
0.307349 92.7906
0.311937 92.7359
0.316524 92.7305
0.321111 92.7048
0.325699 92.6701
0.330286 92.6714
0.334873 92.6453
0.33946 92.5478
0.344048 92.5042
0.348635 92.5048
0.353222 92.5327
0.35781 92.4688
0.362397 92.4452
0.366984 92.3691
0.371572 92.3448
0.376159 92.3719
0.380746 92.3363
0.385334 92.4158
0.389921 92.2768
0.394508 92.1664
0.399095 92.1397
0.403683 92.2255
0.40827 92.1326
0.412857 92.166
0.417445 92.0246
0.422032 92.0574
0.426619 92.0134
0.431207 92.0354
0.435794 92.0651
0.440381 91.9186
0.444968 91.9937
0.449556 91.9054
0.454143 91.9245
0.45873 91.9183
0.463318 91.7942
0.467905 91.8569
0.472492 91.8145
0.47708 91.7959
0.481667 91.766
0.486254 91.7039
0.490842 91.7489
0.495429 91.7697
0.500016 91.7522
0.504603 91.7416
0.509191 91.7122
0.513778 91.6578
0.518365 91.6999
0.522953 91.613
0.52754 91.608
0.532127 91.5345
0.536715 91.6225
0.541302 91.6124
0.545889 91.5304
0.550476 91.5179
0.555064 91.5594
0.559651 91.4614
0.564238 91.4607
0.568826 91.4466
0.573413 91.4641
0.578 91.4516
0.582588 91.4453
0.587175 91.3859
0.591762 91.3641
0.59635 91.3628
0.600937 91.4118
0.605524 91.3801
0.610111 91.3272
0.614699 91.3184
0.619286 91.3114
0.623873 91.3871
0.628461 91.3366
0.633048 91.3014
0.637635 91.2956
0.642223 91.2553
0.64681 91.255
0.651397 91.2803
0.655984 91.2348
0.660572 91.2122
0.665159 91.2137
0.669746 91.2247
0.674334 91.198
0.678921 91.1699
0.683508 91.1907
0.688096 91.1484
0.692683 91.1583
0.69727 91.179
0.701858 91.1632
0.706445 91.1527
0.711032 91.1539
0.715619 91.1108
0.720207 91.089
0.724794 91.1025
0.729381 91.1051
0.733969 91.0717
0.738556 91.0991
0.743143 91.0593
0.747731 91.0387
0.752318 91.0366
0.756905 91.0419
0.761492 91.028
0.76608 91.0185
0.770667 91.0352
0.775254 91.011
0.779842 91.0192
0.784429 90.9985
0.789016 91.0097
0.793604 90.9941
0.798191 90.9842
0.802778 91.0107
0.807366 90.9677
0.811953 90.9587
0.81654 90.9945
0.821127 90.9781
0.825715 90.958
0.830302 90.9562
0.834889 90.9529
0.839477 90.9539
0.844064 90.9434
0.848651 90.9525
0.853239 90.9338
0.857826 90.939
0.862413 90.9269
0.867 90.9363
0.871588 90.921
0.876175 90.9196
0.880762 90.9348
0.88535 90.9156
0.889937 90.9162
0.894524 90.913
0.899112 90.9221
0.903699 90.9022
0.908286 90.9024
0.912873 90.9096
0.917461 90.905
EOD
# series 'elbo-200: NLL (k = 5000, 10000 images)': x y ±error
$D2 << EOD
0.917461 86.2086 0.219173
EOD
# series 'elbo-5: test −ELBO': x y
$D3 << EOD
0.00361735 111.891
0.0072347 105.973
0.0108521 102.6
0.0144694 101.789
0.0180868 101.159
EOD
# series 'elbo-5: NLL (k = 1000, 1000 images)': x y ±error
$D4 << EOD
0.0180868 94.4692 0.785682
EOD
# series 'iwae-k5-5: test −ELBO': x y
$D5 << EOD
0.0113356 123.399
0.0226713 107.179
0.0340069 104.217
0.0453425 102.386
0.0566781 102.237
EOD
# series 'iwae-k5-5: NLL (k = 1000, 1000 images)': x y ±error
$D6 << EOD
0.0566781 92.7601 0.780475
EOD
# series 'wide-5: test −ELBO': x y
$D7 << EOD
0.0103989 110.541
0.0207978 104.402
0.0311967 101.816
0.0415957 100.684
0.0519946 100.029
EOD
# series 'wide-5: NLL (k = 1000, 1000 images)': x y ±error
$D8 << EOD
0.0519946 93.6387 0.782648
EOD
# series 'iaf-5: test −ELBO': x y
$D9 << EOD
0.00314069 110.6
0.00628138 103.672
0.00942206 100.702
0.0125628 99.3551
0.0157034 98.6722
EOD
# series 'iaf-5: NLL (k = 1000, 1000 images)': x y ±error
$D10 << EOD
0.0157034 92.9549 0.798576
EOD
# series 'warmup-5: test −ELBO': x y
$D11 << EOD
0.00355797 118.126
0.00711594 106.431
0.0106739 103.282
0.0142319 102.078
0.0177899 101.583
EOD
# series 'warmup-5: NLL (k = 1000, 1000 images)': x y ±error
$D12 << EOD
0.0177899 94.937 0.775968
EOD
# series 'vamp-5: test −ELBO': x y
$D13 << EOD
0.0203265 116.827
0.040653 106.153
0.0609795 102.742
0.0813059 101.383
0.101632 100.915
EOD
# series 'vamp-5: NLL (k = 1000, 1000 images)': x y ±error
$D14 << EOD
0.101632 94.6686 0.810133
EOD
set title 'Nats per hour: test −ELBO after every epoch, and each run''s NLL at its end' font ',12'
set xlabel 'hours of training on two cores, at the speed probed in section 1 (log scale)'
set ylabel 'nats per test digit (lower is better)'
set logscale x
set format x '%g'
set yrange [81.9:105.217]
set grid lc rgb '#dddddd'
set key outside right top
set style textbox opaque noborder margins 0.5,0.5
set arrow 1 from graph 0, first 86.76 to graph 1, first 86.76 nohead dt 2 lw 1.5 lc rgb '#444444' front
set label '86.76: one-layer VAE, k = 1 (Burda et al. 2016)' at graph 0.01, first 86.76 left offset 0,0.6 font ',9' tc rgb '#444444' boxed front
set arrow 2 from graph 0, first 84.78 to graph 1, first 84.78 nohead dt 2 lw 1.5 lc rgb '#444444' front
set label '84.78: one-layer IWAE, k = 50 (Burda et al. 2016)' at graph 0.01, first 84.78 left offset 0,0.6 font ',9' tc rgb '#444444' boxed front
set arrow 3 from graph 0, first 82.9 to graph 1, first 82.9 nohead dt 2 lw 1.5 lc rgb '#444444' front
set label '82.90: two-layer IWAE, k = 50 (Burda et al. 2016)' at graph 0.01, first 82.9 left offset 0,0.6 font ',9' tc rgb '#444444' boxed front
plot $D1 using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'elbo-200: test −ELBO', \
     $D2 using 1:2:3 with yerrorbars lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'elbo-200: NLL (k = 5000, 10000 images)', \
     $D3 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title 'elbo-5: test −ELBO', \
     $D4 using 1:2:3 with yerrorbars lw 2 pt 7 ps 1 lc rgb '#ff7f0e' title 'elbo-5: NLL (k = 1000, 1000 images)', \
     $D5 using 1:2 with lines lw 2 lc rgb '#2ca02c' title 'iwae-k5-5: test −ELBO', \
     $D6 using 1:2:3 with yerrorbars lw 2 pt 7 ps 1 lc rgb '#2ca02c' title 'iwae-k5-5: NLL (k = 1000, 1000 images)', \
     $D7 using 1:2 with lines lw 2 lc rgb '#d62728' title 'wide-5: test −ELBO', \
     $D8 using 1:2:3 with yerrorbars lw 2 pt 7 ps 1 lc rgb '#d62728' title 'wide-5: NLL (k = 1000, 1000 images)', \
     $D9 using 1:2 with lines lw 2 lc rgb '#9467bd' title 'iaf-5: test −ELBO', \
     $D10 using 1:2:3 with yerrorbars lw 2 pt 7 ps 1 lc rgb '#9467bd' title 'iaf-5: NLL (k = 1000, 1000 images)', \
     $D11 using 1:2 with lines lw 2 lc rgb '#8c564b' title 'warmup-5: test −ELBO', \
     $D12 using 1:2:3 with yerrorbars lw 2 pt 7 ps 1 lc rgb '#8c564b' title 'warmup-5: NLL (k = 1000, 1000 images)', \
     $D13 using 1:2 with lines lw 2 lc rgb '#e377c2' title 'vamp-5: test −ELBO', \
     $D14 using 1:2:3 with yerrorbars lw 2 pt 7 ps 1 lc rgb '#e377c2' title 'vamp-5: NLL (k = 1000, 1000 images)'
unset output
