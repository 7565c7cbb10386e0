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
4.13895 0
6.09517 0
8.0514 0
10.0076 2.30629e-05
11.9639 0.000115314
13.9201 0.000230629
15.8763 0.000714949
17.8325 0.00175278
19.7888 0.00332105
21.745 0.00682661
23.7012 0.0109087
25.6574 0.0169743
27.6137 0.0242852
29.5699 0.0310887
31.5261 0.038169
33.4823 0.0435196
35.4386 0.0427124
37.3948 0.0466792
39.351 0.0469099
41.3072 0.0449034
43.2635 0.037777
45.2197 0.0312963
47.1759 0.0244928
49.1321 0.0197418
51.0884 0.0136532
53.0446 0.00989397
55.0008 0.00601941
56.957 0.00389762
58.9133 0.00214485
60.8695 0.0016144
62.8257 0.000830263
64.7819 0.000276754
66.7382 0.000276754
68.6944 9.22515e-05
70.6506 4.61257e-05
72.6068 0
74.5631 0
76.5193 0
78.4755 0
80.4318 0
EOD
# series 'between two real test digits': x y
$D2 << EOD
4.13895 0.000276754
6.09517 0.000415132
8.0514 0.000714949
10.0076 0.00133765
11.9639 0.00168359
13.9201 0.00226016
15.8763 0.00251385
17.8325 0.00352862
19.7888 0.00410519
21.745 0.00426663
23.7012 0.00498158
25.6574 0.0054659
27.6137 0.00435888
29.5699 0.00631923
31.5261 0.0068958
33.4823 0.00781831
35.4386 0.0103783
37.3948 0.0142529
39.351 0.0169281
41.3072 0.021287
43.2635 0.0261533
45.2197 0.0335795
47.1759 0.0380999
49.1321 0.041813
51.0884 0.0426663
53.0446 0.0416515
55.0008 0.0400141
56.957 0.0351478
58.9133 0.0277908
60.8695 0.0222787
62.8257 0.0162132
64.7819 0.0108857
66.7382 0.00696499
68.6944 0.00371312
70.6506 0.00244466
72.6068 0.00113008
74.5631 0.000530446
76.5193 0.000230629
78.4755 6.91886e-05
80.4318 2.30629e-05
EOD
set title 'Distances between pairs, in the judge''s 128 features' font ',12'
set xlabel 'distance'
set ylabel 'density'
set yrange [0:0.0633283]
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'between two samples', \
     $D2 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title 'between two real test digits'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# bars 'samples': x, top, left, right, bottom, top, error
$D3 << EOD
0 6.2 -0.4 0.4 0 6.2 0
1 5 0.6 1.4 0 5 0
2 14.8 1.6 2.4 0 14.8 0
3 15.2 2.6 3.4 0 15.2 0
4 10.85 3.6 4.4 0 10.85 0
5 11.15 4.6 5.4 0 11.15 0
6 4.2 5.6 6.4 0 4.2 0
7 11.15 6.6 7.4 0 11.15 0
8 10.15 7.6 8.4 0 10.15 0
9 11.3 8.6 9.4 0 11.3 0
EOD
set title 'Class the judge sees: entropy 3.222 bits [3.195, 3.239] (uniform: 3.322)' font ',12'
set xlabel 'digit the judge sees'
set ylabel '% of samples'
set yrange [0:20]
set grid lc rgb '#dddddd'
set xtics ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '6' 6, '7' 7, '8' 8, '9' 9)
unset key
set style textbox opaque noborder margins 0.5,0.5
set arrow 1 from graph 0, first 10 to graph 1, first 10 nohead dt 2 lw 1.5 lc rgb '#000000' front
set label 'uniform, 10%' at graph 0.01, first 10 left offset 0,0.6 font ',9' tc rgb '#000000' boxed front
set xrange [-0.6:9.6]
set style fill solid 0.85 border lc rgb '#333333'
set grid noxtics
plot $D3 using 1:2:3:4:5:6 with boxxyerror lc rgb '#1f77b4' title 'samples'
unset multiplot
unset output
