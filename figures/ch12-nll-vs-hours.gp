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
0.00320396 111.638
0.00640793 105.59
0.00961189 102.764
0.0128159 101.329
0.0160198 100.446
0.0192238 99.6736
0.0224277 99.2312
0.0256317 98.6633
0.0288357 98.2227
0.0320396 97.9861
0.0352436 97.6897
0.0384476 97.4924
0.0416515 97.0242
0.0448555 96.9309
0.0480595 96.6505
0.0512634 96.568
0.0544674 96.4249
0.0576713 96.1624
0.0608753 96.0879
0.0640793 96.0587
0.0672832 95.8615
0.0704872 95.6186
0.0736912 95.4688
0.0768951 95.6666
0.0800991 95.1973
0.0833031 95.1424
0.086507 95.0038
0.089711 95.0445
0.0929149 94.8383
0.0961189 94.7786
0.0993229 94.7245
0.102527 94.6145
0.105731 94.6637
0.108935 94.4367
0.112139 94.4432
0.115343 94.3287
0.118547 94.1906
0.121751 94.2384
0.124955 94.1464
0.128159 94.0215
0.131363 94.204
0.134566 93.9593
0.13777 93.9365
0.140974 93.7987
0.144178 93.8564
0.147382 93.7927
0.150586 93.6149
0.15379 93.6948
0.156994 93.6314
0.160198 93.5733
0.163402 93.4655
0.166606 93.3881
0.16981 93.5613
0.173014 93.4186
0.176218 93.2329
0.179422 93.2582
0.182626 93.2861
0.18583 93.1681
0.189034 93.1305
0.192238 93.1204
0.195442 93.33
0.198646 92.9989
0.20185 92.929
0.205054 92.8051
0.208258 92.8804
0.211462 92.8168
0.214666 92.7906
0.21787 92.7359
0.221073 92.7305
0.224277 92.7048
0.227481 92.6701
0.230685 92.6714
0.233889 92.6453
0.237093 92.5478
0.240297 92.5042
0.243501 92.5048
0.246705 92.5327
0.249909 92.4688
0.253113 92.4452
0.256317 92.3691
0.259521 92.3448
0.262725 92.3719
0.265929 92.3363
0.269133 92.4158
0.272337 92.2768
0.275541 92.1664
0.278745 92.1397
0.281949 92.2255
0.285153 92.1326
0.288357 92.166
0.291561 92.0246
0.294765 92.0574
0.297969 92.0134
0.301173 92.0354
0.304377 92.0651
0.30758 91.9186
0.310784 91.9937
0.313988 91.9054
0.317192 91.9245
0.320396 91.9183
0.3236 91.7942
0.326804 91.8569
0.330008 91.8145
0.333212 91.7959
0.336416 91.766
0.33962 91.7039
0.342824 91.7489
0.346028 91.7697
0.349232 91.7522
0.352436 91.7416
0.35564 91.7122
0.358844 91.6578
0.362048 91.6999
0.365252 91.613
0.368456 91.608
0.37166 91.5345
0.374864 91.6225
0.378068 91.6124
0.381272 91.5304
0.384476 91.5179
0.38768 91.5594
0.390884 91.4614
0.394088 91.4607
0.397291 91.4466
0.400495 91.4641
0.403699 91.4516
0.406903 91.4453
0.410107 91.3859
0.413311 91.3641
0.416515 91.3628
0.419719 91.4118
0.422923 91.3801
0.426127 91.3272
0.429331 91.3184
0.432535 91.3114
0.435739 91.3871
0.438943 91.3366
0.442147 91.3014
0.445351 91.2956
0.448555 91.2553
0.451759 91.255
0.454963 91.2803
0.458167 91.2348
0.461371 91.2122
0.464575 91.2137
0.467779 91.2247
0.470983 91.198
0.474187 91.1699
0.477391 91.1907
0.480595 91.1484
0.483798 91.1583
0.487002 91.179
0.490206 91.1632
0.49341 91.1527
0.496614 91.1539
0.499818 91.1108
0.503022 91.089
0.506226 91.1025
0.50943 91.1051
0.512634 91.0717
0.515838 91.0991
0.519042 91.0593
0.522246 91.0387
0.52545 91.0366
0.528654 91.0419
0.531858 91.028
0.535062 91.0185
0.538266 91.0352
0.54147 91.011
0.544674 91.0192
0.547878 90.9985
0.551082 91.0097
0.554286 90.9941
0.55749 90.9842
0.560694 91.0107
0.563898 90.9677
0.567102 90.9587
0.570306 90.9945
0.573509 90.9781
0.576713 90.958
0.579917 90.9562
0.583121 90.9529
0.586325 90.9539
0.589529 90.9434
0.592733 90.9525
0.595937 90.9338
0.599141 90.939
0.602345 90.9269
0.605549 90.9363
0.608753 90.921
0.611957 90.9196
0.615161 90.9348
0.618365 90.9156
0.621569 90.9162
0.624773 90.913
0.627977 90.9221
0.631181 90.9022
0.634385 90.9024
0.637589 90.9096
0.640793 90.905
EOD
# series 'elbo-200: NLL (k = 5000, 10000 images)': x y ±error
$D2 << EOD
0.640793 86.2086 0.219173
EOD
# series 'elbo-5: test −ELBO': x y
$D3 << EOD
0.00318449 111.891
0.00636897 105.973
0.00955346 102.6
0.0127379 101.789
0.0159224 101.159
EOD
# series 'elbo-5: NLL (k = 1000, 1000 images)': x y ±error
$D4 << EOD
0.0159224 94.4692 0.785682
EOD
# series 'iwae-k5-5: test −ELBO': x y
$D5 << EOD
0.0112916 123.399
0.0225832 107.179
0.0338749 104.217
0.0451665 102.386
0.0564581 102.237
EOD
# series 'iwae-k5-5: NLL (k = 1000, 1000 images)': x y ±error
$D6 << EOD
0.0564581 92.7601 0.780475
EOD
# series 'wide-5: test −ELBO': x y
$D7 << EOD
0.00999298 110.541
0.019986 104.402
0.029979 101.816
0.0399719 100.684
0.0499649 100.029
EOD
# series 'wide-5: NLL (k = 1000, 1000 images)': x y ±error
$D8 << EOD
0.0499649 93.6387 0.782648
EOD
# series 'iaf-5: test −ELBO': x y
$D9 << EOD
0.0032015 110.6
0.006403 103.672
0.0096045 100.702
0.012806 99.3551
0.0160075 98.6722
EOD
# series 'iaf-5: NLL (k = 1000, 1000 images)': x y ±error
$D10 << EOD
0.0160075 92.9549 0.798576
EOD
# series 'warmup-5: test −ELBO': x y
$D11 << EOD
0.0030528 118.126
0.00610561 106.431
0.00915841 103.282
0.0122112 102.078
0.015264 101.583
EOD
# series 'warmup-5: NLL (k = 1000, 1000 images)': x y ±error
$D12 << EOD
0.015264 94.937 0.775968
EOD
# series 'vamp-5: test −ELBO': x y
$D13 << EOD
0.0195847 116.827
0.0391695 106.153
0.0587542 102.742
0.078339 101.383
0.0979237 100.915
EOD
# series 'vamp-5: NLL (k = 1000, 1000 images)': x y ±error
$D14 << EOD
0.0979237 94.6686 0.810133
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
