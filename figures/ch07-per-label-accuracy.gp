# ch07-per-label-accuracy.png: a gnuplot script written by VAECore (Sources/VAECore/Plot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch07-per-label-accuracy.gp
# (`set output` below names the PNG relative to the current directory, so the PNG is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1300,520 noenhanced font 'Sans,10'
set output 'ch07-per-label-accuracy.png'
set encoding utf8
set multiplot layout 1,2 title '10000 conditional samples judged by the digit classifier: 97.60% as asked' font ',13'

# ---- panel 1 of 2 ----
# series 'judged as the label asked for': x y
$D1 << EOD
0 100
1 99.3
2 97.8
3 96.9
4 99.9
5 90.8
6 98.1
7 95.1
8 100
9 98.1
EOD
# series '98% floor': x y
$D2 << EOD
0 98
1 98
2 98
3 98
4 98
5 98
6 98
7 98
8 98
9 98
EOD
set title 'Accuracy per requested label' font ',12'
set xlabel 'label y'
set ylabel '% judged as y'
set yrange [88:100.5]
set grid lc rgb '#dddddd'
set xtics ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '6' 6, '7' 7, '8' 8, '9' 9) rotate by 30 right
set key bottom left Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'judged as the label asked for', \
     $D2 using 1:2 with lines lw 2 dt 2 lc rgb '#ff7f0e' title '98% floor'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# matrix 10x10, one row per line
$D3 << EOD
1 0 0 0 0 0 0 0 0 0
0 0.993 0.001 0 0 0 0.001 0 0.004 0.001
0 0 0.978 0 0.001 0 0 0 0.02 0.001
0.001 0 0.002 0.969 0 0.003 0 0 0.024 0.001
0 0 0 0 0.999 0 0 0 0.001 0
0.001 0 0 0.004 0.001 0.908 0.018 0 0.055 0.013
0.014 0.001 0 0 0 0 0.981 0 0.004 0
0.003 0 0.003 0 0.002 0 0 0.951 0.012 0.029
0 0 0 0 0 0 0 0 1 0
0.002 0 0 0 0 0 0 0 0.017 0.981
EOD
set title 'Share judged as each digit (row: asked, column: judged)' font ',12'
set xlabel 'judged digit'
set ylabel 'requested label'
set palette defined (0 '#440154', 1 '#472c7a', 2 '#3b518b', 3 '#2c718e', 4 '#21908d', 5 '#27ad81', 6 '#5cc863', 7 '#aadc32', 8 '#fde725')
set cbrange [0:1]
set size ratio -1
unset key
set tics out nomirror
# Row 0 at the top: the y axis runs downwards, as a matrix is written.
set xrange [-0.5:10 - 0.5]
set yrange [10 - 0.5:-0.5]
plot $D3 matrix with image notitle
unset multiplot
unset output
