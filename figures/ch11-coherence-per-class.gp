# ch11-coherence-per-class.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch11-coherence-per-class.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1400,520 noenhanced font 'Sans,10'
set output 'ch11-coherence-per-class.png'
set encoding utf8
set multiplot layout 1,2 title 'Coherence per class: how often the generated modality shows the class of the observed one' font ',13'

# ---- panel 1 of 2 ----
# bars 'image → label': x, top, left, right, bottom, top, error
$D1 << EOD
-0.2 98.6735 -0.4 0 0 98.6735 0
0.8 98.5022 0.6 1 0 98.5022 0
1.8 97.9651 1.6 2 0 97.9651 0
2.8 98.4158 2.6 3 0 98.4158 0
3.8 96.7413 3.6 4 0 96.7413 0
4.8 96.9731 4.6 5 0 96.9731 0
5.8 97.8079 5.6 6 0 97.8079 0
6.8 96.4981 6.6 7 0 96.4981 0
7.8 97.2279 7.6 8 0 97.2279 0
8.8 95.9366 8.6 9 0 95.9366 0
EOD
# bars 'label → image': x, top, left, right, bottom, top, error
$D2 << EOD
0.2 99.5918 5.55112e-17 0.4 0 99.5918 0
1.2 99.5595 1 1.4 0 99.5595 0
2.2 99.1279 2 2.4 0 99.1279 0
3.2 99.703 3 3.4 0 99.703 0
4.2 99.8982 4 4.4 0 99.8982 0
5.2 99.1031 5 5.4 0 99.1031 0
6.2 100 6 6.4 0 100 0
7.2 99.0272 7 7.4 0 99.0272 0
8.2 97.6386 8 8.4 0 97.6386 0
9.2 99.2071 9 9.4 0 99.2071 0
EOD
set title 'digit + label' font ',12'
set xlabel 'class'
set ylabel '% coherent'
set yrange [0:105]
set grid lc rgb '#dddddd'
set xtics ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '6' 6, '7' 7, '8' 8, '9' 9)
set key outside right top
set xrange [-0.6:9.6]
set style fill solid 0.85 border lc rgb '#333333'
set grid noxtics
plot $D1 using 1:2:3:4:5:6 with boxxyerror lc rgb '#1f77b4' title 'image → label', \
     $D2 using 1:2:3:4:5:6 with boxxyerror lc rgb '#ff7f0e' title 'label → image'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# bars 'digit → clothing': x, top, left, right, bottom, top, error
$D3 << EOD
-0.2 85.4082 -0.4 0 0 85.4082 0
0.8 98.2379 0.6 1 0 98.2379 0
1.8 97.1899 1.6 2 0 97.1899 0
2.8 77.2277 2.6 3 0 77.2277 0
3.8 34.2159 3.6 4 0 34.2159 0
4.8 0 4.6 5 0 0 0
5.8 13.5699 5.6 6 0 13.5699 0
6.8 89.6887 6.6 7 0 89.6887 0
7.8 89.9384 7.6 8 0 89.9384 0
8.8 95.6392 8.6 9 0 95.6392 0
EOD
# bars 'clothing → digit': x, top, left, right, bottom, top, error
$D4 << EOD
0.2 76.4286 5.55112e-17 0.4 0 76.4286 0
1.2 95.859 1 1.4 0 95.859 0
2.2 75.3876 2 2.4 0 75.3876 0
3.2 87.4257 3 3.4 0 87.4257 0
4.2 81.4664 4 4.4 0 81.4664 0
5.2 87.6682 5 5.4 0 87.6682 0
6.2 52.2965 6 6.4 0 52.2965 0
7.2 90.9533 7 7.4 0 90.9533 0
8.2 89.3224 8 8.4 0 89.3224 0
9.2 92.2696 9 9.4 0 92.2696 0
EOD
set title 'digit + clothing' font ',12'
set xlabel 'class'
set ylabel '% coherent'
set yrange [0:105]
set grid lc rgb '#dddddd'
set xtics ('0 T-shirt/top' 0, '1 Trouser' 1, '2 Pullover' 2, '3 Dress' 3, '4 Coat' 4, '5 Sandal' 5, '6 Shirt' 6, '7 Sneaker' 7, '8 Bag' 8, '9 Ankle boot' 9) rotate by 30 right
set key outside right top
set xrange [-0.6:9.6]
set style fill solid 0.85 border lc rgb '#333333'
set grid noxtics
plot $D3 using 1:2:3:4:5:6 with boxxyerror lc rgb '#1f77b4' title 'digit → clothing', \
     $D4 using 1:2:3:4:5:6 with boxxyerror lc rgb '#ff7f0e' title 'clothing → digit'
unset multiplot
unset output
