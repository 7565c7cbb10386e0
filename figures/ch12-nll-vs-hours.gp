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
0.00333916 111.638
0.00667833 105.59
0.0100175 102.764
0.0133567 101.329
0.0166958 100.446
0.020035 99.6736
0.0233741 99.2312
0.0267133 98.6633
0.0300525 98.2227
0.0333916 97.9861
0.0367308 97.6897
0.04007 97.4924
0.0434091 97.0242
0.0467483 96.9309
0.0500874 96.6505
0.0534266 96.568
0.0567658 96.4249
0.0601049 96.1624
0.0634441 96.0879
0.0667833 96.0587
0.0701224 95.8615
0.0734616 95.6186
0.0768007 95.4688
0.0801399 95.6666
0.0834791 95.1973
0.0868182 95.1424
0.0901574 95.0038
0.0934966 95.0445
0.0968357 94.8383
0.100175 94.7786
0.103514 94.7245
0.106853 94.6145
0.110192 94.6637
0.113532 94.4367
0.116871 94.4432
0.12021 94.3287
0.123549 94.1906
0.126888 94.2384
0.130227 94.1464
0.133567 94.0215
0.136906 94.204
0.140245 93.9593
0.143584 93.9365
0.146923 93.7987
0.150262 93.8564
0.153601 93.7927
0.156941 93.6149
0.16028 93.6948
0.163619 93.6314
0.166958 93.5733
0.170297 93.4655
0.173636 93.3881
0.176976 93.5613
0.180315 93.4186
0.183654 93.2329
0.186993 93.2582
0.190332 93.2861
0.193671 93.1681
0.197011 93.1305
0.20035 93.1204
0.203689 93.33
0.207028 92.9989
0.210367 92.929
0.213706 92.8051
0.217046 92.8804
0.220385 92.8168
0.223724 92.7906
0.227063 92.7359
0.230402 92.7305
0.233741 92.7048
0.237081 92.6701
0.24042 92.6714
0.243759 92.6453
0.247098 92.5478
0.250437 92.5042
0.253776 92.5048
0.257116 92.5327
0.260455 92.4688
0.263794 92.4452
0.267133 92.3691
0.270472 92.3448
0.273811 92.3719
0.27715 92.3363
0.28049 92.4158
0.283829 92.2768
0.287168 92.1664
0.290507 92.1397
0.293846 92.2255
0.297185 92.1326
0.300525 92.166
0.303864 92.0246
0.307203 92.0574
0.310542 92.0134
0.313881 92.0354
0.31722 92.0651
0.32056 91.9186
0.323899 91.9937
0.327238 91.9054
0.330577 91.9245
0.333916 91.9183
0.337255 91.7942
0.340595 91.8569
0.343934 91.8145
0.347273 91.7959
0.350612 91.766
0.353951 91.7039
0.35729 91.7489
0.36063 91.7697
0.363969 91.7522
0.367308 91.7416
0.370647 91.7122
0.373986 91.6578
0.377325 91.6999
0.380665 91.613
0.384004 91.608
0.387343 91.5345
0.390682 91.6225
0.394021 91.6124
0.39736 91.5304
0.4007 91.5179
0.404039 91.5594
0.407378 91.4614
0.410717 91.4607
0.414056 91.4466
0.417395 91.4641
0.420734 91.4516
0.424074 91.4453
0.427413 91.3859
0.430752 91.3641
0.434091 91.3628
0.43743 91.4118
0.440769 91.3801
0.444109 91.3272
0.447448 91.3184
0.450787 91.3114
0.454126 91.3871
0.457465 91.3366
0.460804 91.3014
0.464144 91.2956
0.467483 91.2553
0.470822 91.255
0.474161 91.2803
0.4775 91.2348
0.480839 91.2122
0.484179 91.2137
0.487518 91.2247
0.490857 91.198
0.494196 91.1699
0.497535 91.1907
0.500874 91.1484
0.504214 91.1583
0.507553 91.179
0.510892 91.1632
0.514231 91.1527
0.51757 91.1539
0.520909 91.1108
0.524249 91.089
0.527588 91.1025
0.530927 91.1051
0.534266 91.0717
0.537605 91.0991
0.540944 91.0593
0.544284 91.0387
0.547623 91.0366
0.550962 91.0419
0.554301 91.028
0.55764 91.0185
0.560979 91.0352
0.564318 91.011
0.567658 91.0192
0.570997 90.9985
0.574336 91.0097
0.577675 90.9941
0.581014 90.9842
0.584353 91.0107
0.587693 90.9677
0.591032 90.9587
0.594371 90.9945
0.59771 90.9781
0.601049 90.958
0.604388 90.9562
0.607728 90.9529
0.611067 90.9539
0.614406 90.9434
0.617745 90.9525
0.621084 90.9338
0.624423 90.939
0.627763 90.9269
0.631102 90.9363
0.634441 90.921
0.63778 90.9196
0.641119 90.9348
0.644458 90.9156
0.647798 90.9162
0.651137 90.913
0.654476 90.9221
0.657815 90.9022
0.661154 90.9024
0.664493 90.9096
0.667833 90.905
EOD
# series 'elbo-200: NLL (k = 5000, 10000 images)': x y ±error
$D2 << EOD
0.667833 86.2086 0.219173
EOD
# series 'elbo-5: test −ELBO': x y
$D3 << EOD
0.00336538 111.891
0.00673075 105.973
0.0100961 102.6
0.0134615 101.789
0.0168269 101.159
EOD
# series 'elbo-5: NLL (k = 1000, 1000 images)': x y ±error
$D4 << EOD
0.0168269 94.4692 0.785682
EOD
# series 'iwae-k5-5: test −ELBO': x y
$D5 << EOD
0.0112861 123.399
0.0225722 107.179
0.0338583 104.217
0.0451444 102.386
0.0564305 102.237
EOD
# series 'iwae-k5-5: NLL (k = 1000, 1000 images)': x y ±error
$D6 << EOD
0.0564305 92.7601 0.780475
EOD
# series 'wide-5: test −ELBO': x y
$D7 << EOD
0.011465 110.541
0.02293 104.402
0.034395 101.816
0.0458599 100.684
0.0573249 100.029
EOD
# series 'wide-5: NLL (k = 1000, 1000 images)': x y ±error
$D8 << EOD
0.0573249 93.6387 0.782648
EOD
# series 'iaf-5: test −ELBO': x y
$D9 << EOD
0.00389789 110.6
0.00779579 103.672
0.0116937 100.702
0.0155916 99.3551
0.0194895 98.6722
EOD
# series 'iaf-5: NLL (k = 1000, 1000 images)': x y ±error
$D10 << EOD
0.0194895 92.9549 0.798576
EOD
# series 'warmup-5: test −ELBO': x y
$D11 << EOD
0.00456786 118.126
0.00913573 106.431
0.0137036 103.282
0.0182715 102.078
0.0228393 101.583
EOD
# series 'warmup-5: NLL (k = 1000, 1000 images)': x y ±error
$D12 << EOD
0.0228393 94.937 0.775968
EOD
# series 'vamp-5: test −ELBO': x y
$D13 << EOD
0.0209962 116.827
0.0419924 106.153
0.0629885 102.742
0.0839847 101.383
0.104981 100.915
EOD
# series 'vamp-5: NLL (k = 1000, 1000 images)': x y ±error
$D14 << EOD
0.104981 94.6686 0.810133
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
