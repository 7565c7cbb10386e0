# ch09-binarization.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch09-binarization.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1600,600 noenhanced font 'Sans,10'
set output 'ch09-binarization.png'
set encoding utf8
set multiplot layout 1,2 title 'Static against dynamic binarization: 6000 training digits, seed 1' font ',13'

# ---- panel 1 of 2 ----
# series 'dynamic: training images (the static draw)': x y
$D1 << EOD
1 226.649
2 166.52
3 144.338
4 132.13
5 125.493
6 120.254
7 117.131
8 115.303
9 112.753
10 111.72
11 110.51
12 109.197
13 108.559
14 107.953
15 107.397
16 107.265
17 106.883
18 106.614
19 106.424
20 106.323
EOD
# series 'dynamic: test images': x y
$D2 << EOD
1 225.319
2 166.929
3 145.333
4 133.432
5 127.191
6 122.373
7 119.408
8 117.422
9 115.219
10 114.305
11 113.2
12 111.908
13 111.282
14 110.78
15 110.221
16 110.09
17 109.744
18 109.483
19 109.314
20 109.246
EOD
# series 'static: training images (the static draw)': x y
$D3 << EOD
1 226.771
2 165.903
3 144.244
4 130.975
5 124.348
6 119.446
7 116.077
8 114.026
9 111.655
10 111.008
11 109.253
12 108.095
13 107.568
14 106.917
15 106.318
16 106.008
17 105.7
18 105.431
19 105.211
20 105.187
EOD
# series 'static: test images': x y
$D4 << EOD
1 225.416
2 166.507
3 145.517
4 132.86
5 126.69
6 122.27
7 119.132
8 117.145
9 115.229
10 114.799
11 113.143
12 112.169
13 111.701
14 111.223
15 110.717
16 110.531
17 110.183
18 109.961
19 109.817
20 109.811
EOD
set title '−ELBO after each epoch (first 2000 images of each set)' font ',12'
set xlabel 'epoch'
set ylabel '−ELBO [nats]'
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'dynamic: training images (the static draw)', \
     $D2 using 1:2 with lines lw 2 dt 2 lc rgb '#1f77b4' title 'dynamic: test images', \
     $D3 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#d62728' title 'static: training images (the static draw)', \
     $D4 using 1:2 with lines lw 2 dt 2 lc rgb '#d62728' title 'static: test images'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'dynamic': x y
$D5 << EOD
1 -1.33024
2 0.409141
3 0.994573
4 1.30219
5 1.69808
6 2.1189
7 2.27662
8 2.11841
9 2.46636
10 2.58498
11 2.68934
12 2.71176
13 2.72306
14 2.82678
15 2.82427
16 2.82463
17 2.86093
18 2.86824
19 2.88975
20 2.92281
EOD
# series 'static': x y
$D6 << EOD
1 -1.35512
2 0.603601
3 1.27304
4 1.88499
5 2.34197
6 2.82437
7 3.05494
8 3.1196
9 3.57378
10 3.79142
11 3.8898
12 4.07453
13 4.13319
14 4.30666
15 4.39947
16 4.52377
17 4.48263
18 4.52928
19 4.60512
20 4.62434
EOD
set title 'the gap: test −ELBO − training −ELBO' font ',12'
set xlabel 'epoch'
set ylabel 'nats per image'
set grid lc rgb '#dddddd'
set key top left Left reverse opaque box lc rgb '#bbbbbb'
plot $D5 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'dynamic', \
     $D6 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#d62728' title 'static'
unset multiplot
unset output
