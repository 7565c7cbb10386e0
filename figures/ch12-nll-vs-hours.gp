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
0.00284339 111.638
0.00568679 105.59
0.00853018 102.764
0.0113736 101.329
0.014217 100.446
0.0170604 99.6736
0.0199038 99.2312
0.0227471 98.6633
0.0255905 98.2227
0.0284339 97.9861
0.0312773 97.6897
0.0341207 97.4924
0.0369641 97.0242
0.0398075 96.9309
0.0426509 96.6505
0.0454943 96.568
0.0483377 96.4249
0.0511811 96.1624
0.0540245 96.0879
0.0568679 96.0587
0.0597113 95.8615
0.0625547 95.6186
0.0653981 95.4688
0.0682414 95.6666
0.0710848 95.1973
0.0739282 95.1424
0.0767716 95.0038
0.079615 95.0445
0.0824584 94.8383
0.0853018 94.7786
0.0881452 94.7245
0.0909886 94.6145
0.093832 94.6637
0.0966754 94.4367
0.0995188 94.4432
0.102362 94.3287
0.105206 94.1906
0.108049 94.2384
0.110892 94.1464
0.113736 94.0215
0.116579 94.204
0.119423 93.9593
0.122266 93.9365
0.125109 93.7987
0.127953 93.8564
0.130796 93.7927
0.133639 93.6149
0.136483 93.6948
0.139326 93.6314
0.14217 93.5733
0.145013 93.4655
0.147856 93.3881
0.1507 93.5613
0.153543 93.4186
0.156387 93.2329
0.15923 93.2582
0.162073 93.2861
0.164917 93.1681
0.16776 93.1305
0.170604 93.1204
0.173447 93.33
0.17629 92.9989
0.179134 92.929
0.181977 92.8051
0.184821 92.8804
0.187664 92.8168
0.190507 92.7906
0.193351 92.7359
0.196194 92.7305
0.199038 92.7048
0.201881 92.6701
0.204724 92.6714
0.207568 92.6453
0.210411 92.5478
0.213255 92.5042
0.216098 92.5048
0.218941 92.5327
0.221785 92.4688
0.224628 92.4452
0.227471 92.3691
0.230315 92.3448
0.233158 92.3719
0.236002 92.3363
0.238845 92.4158
0.241688 92.2768
0.244532 92.1664
0.247375 92.1397
0.250219 92.2255
0.253062 92.1326
0.255905 92.166
0.258749 92.0246
0.261592 92.0574
0.264436 92.0134
0.267279 92.0354
0.270122 92.0651
0.272966 91.9186
0.275809 91.9937
0.278653 91.9054
0.281496 91.9245
0.284339 91.9183
0.287183 91.7942
0.290026 91.8569
0.29287 91.8145
0.295713 91.7959
0.298556 91.766
0.3014 91.7039
0.304243 91.7489
0.307087 91.7697
0.30993 91.7522
0.312773 91.7416
0.315617 91.7122
0.31846 91.6578
0.321303 91.6999
0.324147 91.613
0.32699 91.608
0.329834 91.5345
0.332677 91.6225
0.33552 91.6124
0.338364 91.5304
0.341207 91.5179
0.344051 91.5594
0.346894 91.4614
0.349737 91.4607
0.352581 91.4466
0.355424 91.4641
0.358268 91.4516
0.361111 91.4453
0.363954 91.3859
0.366798 91.3641
0.369641 91.3628
0.372485 91.4118
0.375328 91.3801
0.378171 91.3272
0.381015 91.3184
0.383858 91.3114
0.386702 91.3871
0.389545 91.3366
0.392388 91.3014
0.395232 91.2956
0.398075 91.2553
0.400918 91.255
0.403762 91.2803
0.406605 91.2348
0.409449 91.2122
0.412292 91.2137
0.415135 91.2247
0.417979 91.198
0.420822 91.1699
0.423666 91.1907
0.426509 91.1484
0.429352 91.1583
0.432196 91.179
0.435039 91.1632
0.437883 91.1527
0.440726 91.1539
0.443569 91.1108
0.446413 91.089
0.449256 91.1025
0.4521 91.1051
0.454943 91.0717
0.457786 91.0991
0.46063 91.0593
0.463473 91.0387
0.466317 91.0366
0.46916 91.0419
0.472003 91.028
0.474847 91.0185
0.47769 91.0352
0.480534 91.011
0.483377 91.0192
0.48622 90.9985
0.489064 91.0097
0.491907 90.9941
0.49475 90.9842
0.497594 91.0107
0.500437 90.9677
0.503281 90.9587
0.506124 90.9945
0.508967 90.9781
0.511811 90.958
0.514654 90.9562
0.517498 90.9529
0.520341 90.9539
0.523184 90.9434
0.526028 90.9525
0.528871 90.9338
0.531715 90.939
0.534558 90.9269
0.537401 90.9363
0.540245 90.921
0.543088 90.9196
0.545932 90.9348
0.548775 90.9156
0.551618 90.9162
0.554462 90.913
0.557305 90.9221
0.560149 90.9022
0.562992 90.9024
0.565835 90.9096
0.568679 90.905
EOD
# series 'elbo-200: NLL (k = 5000, 10000 images)': x y ±error
$D2 << EOD
0.568679 86.2086 0.219173
EOD
# series 'elbo-5: test −ELBO': x y
$D3 << EOD
0.00288209 111.891
0.00576418 105.973
0.00864627 102.6
0.0115284 101.789
0.0144104 101.159
EOD
# series 'elbo-5: NLL (k = 1000, 1000 images)': x y ±error
$D4 << EOD
0.0144104 94.4692 0.785682
EOD
# series 'iwae-k5-5: test −ELBO': x y
$D5 << EOD
0.00950012 123.399
0.0190002 107.179
0.0285004 104.217
0.0380005 102.386
0.0475006 102.237
EOD
# series 'iwae-k5-5: NLL (k = 1000, 1000 images)': x y ±error
$D6 << EOD
0.0475006 92.7601 0.780475
EOD
# series 'wide-5: test −ELBO': x y
$D7 << EOD
0.00870759 110.541
0.0174152 104.402
0.0261228 101.816
0.0348304 100.684
0.043538 100.029
EOD
# series 'wide-5: NLL (k = 1000, 1000 images)': x y ±error
$D8 << EOD
0.043538 93.6387 0.782648
EOD
# series 'iaf-5: test −ELBO': x y
$D9 << EOD
0.00307672 110.6
0.00615344 103.672
0.00923016 100.702
0.0123069 99.3551
0.0153836 98.6722
EOD
# series 'iaf-5: NLL (k = 1000, 1000 images)': x y ±error
$D10 << EOD
0.0153836 92.9549 0.798576
EOD
# series 'warmup-5: test −ELBO': x y
$D11 << EOD
0.00301526 118.126
0.00603052 106.431
0.00904579 103.282
0.012061 102.078
0.0150763 101.583
EOD
# series 'warmup-5: NLL (k = 1000, 1000 images)': x y ±error
$D12 << EOD
0.0150763 94.937 0.775968
EOD
# series 'vamp-5: test −ELBO': x y
$D13 << EOD
0.0160688 116.827
0.0321376 106.153
0.0482064 102.742
0.0642752 101.383
0.0803439 100.915
EOD
# series 'vamp-5: NLL (k = 1000, 1000 images)': x y ±error
$D14 << EOD
0.0803439 94.6686 0.810133
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
