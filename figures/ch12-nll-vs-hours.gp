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
0.00365324 111.638
0.00730647 105.59
0.0109597 102.764
0.0146129 101.329
0.0182662 100.446
0.0219194 99.6736
0.0255726 99.2312
0.0292259 98.6633
0.0328791 98.2227
0.0365324 97.9861
0.0401856 97.6897
0.0438388 97.4924
0.0474921 97.0242
0.0511453 96.9309
0.0547985 96.6505
0.0584518 96.568
0.062105 96.4249
0.0657582 96.1624
0.0694115 96.0879
0.0730647 96.0587
0.0767179 95.8615
0.0803712 95.6186
0.0840244 95.4688
0.0876776 95.6666
0.0913309 95.1973
0.0949841 95.1424
0.0986373 95.0038
0.102291 95.0445
0.105944 94.8383
0.109597 94.7786
0.11325 94.7245
0.116904 94.6145
0.120557 94.6637
0.12421 94.4367
0.127863 94.4432
0.131516 94.3287
0.13517 94.1906
0.138823 94.2384
0.142476 94.1464
0.146129 94.0215
0.149783 94.204
0.153436 93.9593
0.157089 93.9365
0.160742 93.7987
0.164396 93.8564
0.168049 93.7927
0.171702 93.6149
0.175355 93.6948
0.179009 93.6314
0.182662 93.5733
0.186315 93.4655
0.189968 93.3881
0.193621 93.5613
0.197275 93.4186
0.200928 93.2329
0.204581 93.2582
0.208234 93.2861
0.211888 93.1681
0.215541 93.1305
0.219194 93.1204
0.222847 93.33
0.226501 92.9989
0.230154 92.929
0.233807 92.8051
0.23746 92.8804
0.241114 92.8168
0.244767 92.7906
0.24842 92.7359
0.252073 92.7305
0.255726 92.7048
0.25938 92.6701
0.263033 92.6714
0.266686 92.6453
0.270339 92.5478
0.273993 92.5042
0.277646 92.5048
0.281299 92.5327
0.284952 92.4688
0.288606 92.4452
0.292259 92.3691
0.295912 92.3448
0.299565 92.3719
0.303219 92.3363
0.306872 92.4158
0.310525 92.2768
0.314178 92.1664
0.317831 92.1397
0.321485 92.2255
0.325138 92.1326
0.328791 92.166
0.332444 92.0246
0.336098 92.0574
0.339751 92.0134
0.343404 92.0354
0.347057 92.0651
0.350711 91.9186
0.354364 91.9937
0.358017 91.9054
0.36167 91.9245
0.365324 91.9183
0.368977 91.7942
0.37263 91.8569
0.376283 91.8145
0.379936 91.7959
0.38359 91.766
0.387243 91.7039
0.390896 91.7489
0.394549 91.7697
0.398203 91.7522
0.401856 91.7416
0.405509 91.7122
0.409162 91.6578
0.412816 91.6999
0.416469 91.613
0.420122 91.608
0.423775 91.5345
0.427429 91.6225
0.431082 91.6124
0.434735 91.5304
0.438388 91.5179
0.442041 91.5594
0.445695 91.4614
0.449348 91.4607
0.453001 91.4466
0.456654 91.4641
0.460308 91.4516
0.463961 91.4453
0.467614 91.3859
0.471267 91.3641
0.474921 91.3628
0.478574 91.4118
0.482227 91.3801
0.48588 91.3272
0.489534 91.3184
0.493187 91.3114
0.49684 91.3871
0.500493 91.3366
0.504146 91.3014
0.5078 91.2956
0.511453 91.2553
0.515106 91.255
0.518759 91.2803
0.522413 91.2348
0.526066 91.2122
0.529719 91.2137
0.533372 91.2247
0.537026 91.198
0.540679 91.1699
0.544332 91.1907
0.547985 91.1484
0.551639 91.1583
0.555292 91.179
0.558945 91.1632
0.562598 91.1527
0.566251 91.1539
0.569905 91.1108
0.573558 91.089
0.577211 91.1025
0.580864 91.1051
0.584518 91.0717
0.588171 91.0991
0.591824 91.0593
0.595477 91.0387
0.599131 91.0366
0.602784 91.0419
0.606437 91.028
0.61009 91.0185
0.613744 91.0352
0.617397 91.011
0.62105 91.0192
0.624703 90.9985
0.628356 91.0097
0.63201 90.9941
0.635663 90.9842
0.639316 91.0107
0.642969 90.9677
0.646623 90.9587
0.650276 90.9945
0.653929 90.9781
0.657582 90.958
0.661236 90.9562
0.664889 90.9529
0.668542 90.9539
0.672195 90.9434
0.675849 90.9525
0.679502 90.9338
0.683155 90.939
0.686808 90.9269
0.690461 90.9363
0.694115 90.921
0.697768 90.9196
0.701421 90.9348
0.705074 90.9156
0.708728 90.9162
0.712381 90.913
0.716034 90.9221
0.719687 90.9022
0.723341 90.9024
0.726994 90.9096
0.730647 90.905
EOD
# series 'elbo-200: NLL (k = 5000, 10000 images)': x y ±error
$D2 << EOD
0.730647 86.2086 0.219173
EOD
# series 'elbo-5: test −ELBO': x y
$D3 << EOD
0.00486367 111.891
0.00972735 105.973
0.014591 102.6
0.0194547 101.789
0.0243184 101.159
EOD
# series 'elbo-5: NLL (k = 1000, 1000 images)': x y ±error
$D4 << EOD
0.0243184 94.4692 0.785682
EOD
# series 'iwae-k5-5: test −ELBO': x y
$D5 << EOD
0.0222017 123.399
0.0444034 107.179
0.066605 104.217
0.0888067 102.386
0.111008 102.237
EOD
# series 'iwae-k5-5: NLL (k = 1000, 1000 images)': x y ±error
$D6 << EOD
0.111008 92.7601 0.780475
EOD
# series 'wide-5: test −ELBO': x y
$D7 << EOD
0.012827 110.541
0.025654 104.402
0.0384809 101.816
0.0513079 100.684
0.0641349 100.029
EOD
# series 'wide-5: NLL (k = 1000, 1000 images)': x y ±error
$D8 << EOD
0.0641349 93.6387 0.782648
EOD
# series 'iaf-5: test −ELBO': x y
$D9 << EOD
0.00467068 110.6
0.00934137 103.672
0.0140121 100.702
0.0186827 99.3551
0.0233534 98.6722
EOD
# series 'iaf-5: NLL (k = 1000, 1000 images)': x y ±error
$D10 << EOD
0.0233534 92.9549 0.798576
EOD
# series 'warmup-5: test −ELBO': x y
$D11 << EOD
0.0054601 118.126
0.0109202 106.431
0.0163803 103.282
0.0218404 102.078
0.0273005 101.583
EOD
# series 'warmup-5: NLL (k = 1000, 1000 images)': x y ±error
$D12 << EOD
0.0273005 94.937 0.775968
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
set label '84.78: the best number of the project''s literature table' at graph 0.01, first 84.78 left offset 0,0.6 font ',9' tc rgb '#444444' boxed front
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
     $D12 using 1:2:3 with yerrorbars lw 2 pt 7 ps 1 lc rgb '#8c564b' title 'warmup-5: NLL (k = 1000, 1000 images)'
unset output
