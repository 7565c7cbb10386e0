# ch08-diversity.png: a gnuplot script written by VAECore (Sources/VAECore/Plot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch08-diversity.gp
# (`set output` below names the PNG relative to the current directory, so the PNG is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1400,520 noenhanced font 'Sans,10'
set output 'ch08-diversity.png'
set encoding utf8
set multiplot layout 1,2 title 'Are the samples varied and balanced? (chapter 5''s model, z ~ N(0, I), in the judge''s features)' font ',13'

# ---- panel 1 of 2 ----
# series 'between two samples': x y
$D1 << EOD
3.62242 0
5.45451 0
7.2866 0
9.11869 4.92511e-05
10.9508 0.000147753
12.7829 0.000566387
14.615 0.0013544
16.447 0.00283194
18.2791 0.0067474
20.1112 0.0101457
21.9433 0.0173856
23.7754 0.0233696
25.6075 0.0328012
27.4396 0.0386867
29.2717 0.0440305
31.1038 0.0492264
32.9358 0.0493249
34.7679 0.0508025
36.6 0.0458035
38.4321 0.0424052
40.2642 0.0346974
42.0963 0.0280485
43.9284 0.0211533
45.7605 0.015194
47.5926 0.0113524
49.4247 0.00753541
51.2567 0.00430947
53.0888 0.00297969
54.9209 0.00174841
56.753 0.00130515
58.5851 0.000960396
60.4172 0.000394009
62.2493 0.000172379
64.0814 0.000172379
65.9135 0.000123128
67.7455 0
69.5776 0
71.4097 0
73.2418 0
75.0739 0
EOD
# series 'between two real test digits': x y
$D2 << EOD
3.62242 0.000197004
5.45451 0.000591013
7.2866 0.00113277
9.11869 0.00137903
10.9508 0.0023148
12.7829 0.00246255
14.615 0.00270881
16.447 0.00381696
18.2791 0.00438335
20.1112 0.00490048
21.9433 0.00485123
23.7754 0.00571312
25.6075 0.00539299
27.4396 0.00519599
29.2717 0.00657502
31.1038 0.00773242
32.9358 0.00999797
34.7679 0.0111307
36.6 0.0159573
38.4321 0.0203653
40.2642 0.0264971
42.0963 0.0317669
43.9284 0.0406814
45.7605 0.0429469
47.5926 0.0419373
49.4247 0.045508
51.2567 0.0426514
53.0888 0.0381696
54.9209 0.0334907
56.753 0.0270388
58.5851 0.0208086
60.4172 0.0139873
62.2493 0.00982559
64.0814 0.00613176
65.9135 0.00394009
67.7455 0.00209317
69.5776 0.000985021
71.4097 0.000369383
73.2418 0.000123128
75.0739 7.38766e-05
EOD
set title 'Distances between pairs, in the judge''s 128 features' font ',12'
set xlabel 'distance'
set ylabel 'density'
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'between two samples', \
     $D2 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title 'between two real test digits'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'samples': x y
$D3 << EOD
0 4.75
1 4.3
2 13.45
3 15.05
4 12.35
5 8.95
6 4.4
7 9
8 17.95
9 9.8
EOD
# series 'uniform, 10%': x y
$D4 << EOD
0 10
9 10
EOD
set title 'Class the judge sees: entropy 3.173 bits [3.140, 3.196]' font ',12'
set xlabel 'digit'
set ylabel '% of samples'
set yrange [0:20]
set grid lc rgb '#dddddd'
set xtics ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '6' 6, '7' 7, '8' 8, '9' 9) rotate by 30 right
set key top right Left reverse opaque box lc rgb '#bbbbbb'
plot $D3 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'samples', \
     $D4 using 1:2 with lines lw 2 dt 2 lc rgb '#000000' title 'uniform, 10%'
unset multiplot
unset output
