# ch04-gradient-histogram.png: a gnuplot script written by VAECore (Sources/VAECore/Plot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch04-gradient-histogram.gp
# (`set output` below names the PNG relative to the current directory, so the PNG is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1200,450 noenhanced font 'Sans,10'
set output 'ch04-gradient-histogram.png'
set encoding utf8
set multiplot layout 1,2 title 'Single-sample gradient estimates (truth -3.0)' font ',13'

# ---- panel 1 of 2 ----
# histogram 'single-sample estimates': bin centre, height, bin width
$D1 << EOD
-29.75 0.0025 0.5
-29.25 0.0015 0.5
-28.75 0.0005 0.5
-28.25 0.002 0.5
-27.75 0.0015 0.5
-27.25 0.0005 0.5
-26.75 0.001 0.5
-26.25 0.002 0.5
-25.75 0.0035 0.5
-25.25 0.004 0.5
-24.75 0.0005 0.5
-24.25 0.0015 0.5
-23.75 0.002 0.5
-23.25 0.0035 0.5
-22.75 0.001 0.5
-22.25 0.0025 0.5
-21.75 0.004 0.5
-21.25 0.004 0.5
-20.75 0.0025 0.5
-20.25 0.0035 0.5
-19.75 0.003 0.5
-19.25 0.003 0.5
-18.75 0.0055 0.5
-18.25 0.004 0.5
-17.75 0.004 0.5
-17.25 0.0045 0.5
-16.75 0.004 0.5
-16.25 0.007 0.5
-15.75 0.0075 0.5
-15.25 0.0065 0.5
-14.75 0.007 0.5
-14.25 0.006 0.5
-13.75 0.0075 0.5
-13.25 0.0065 0.5
-12.75 0.0095 0.5
-12.25 0.0095 0.5
-11.75 0.009 0.5
-11.25 0.0075 0.5
-10.75 0.009 0.5
-10.25 0.009 0.5
-9.75 0.011 0.5
-9.25 0.013 0.5
-8.75 0.0125 0.5
-8.25 0.0155 0.5
-7.75 0.0135 0.5
-7.25 0.015 0.5
-6.75 0.02 0.5
-6.25 0.0205 0.5
-5.75 0.019 0.5
-5.25 0.0325 0.5
-4.75 0.0275 0.5
-4.25 0.039 0.5
-3.75 0.034 0.5
-3.25 0.0465 0.5
-2.75 0.044 0.5
-2.25 0.0535 0.5
-1.75 0.072 0.5
-1.25 0.0745 0.5
-0.75 0.0995 0.5
-0.25 0.1545 0.5
0.25 0.936 0.5
0.75 0.0165 0.5
1.25 0.0085 0.5
1.75 0.005 0.5
2.25 0.003 0.5
2.75 0.003 0.5
3.25 0.001 0.5
3.75 0.0015 0.5
4.25 0.001 0.5
4.75 0.0025 0.5
5.25 0.001 0.5
5.75 0 0.5
6.25 0 0.5
6.75 0.0005 0.5
7.25 0 0.5
7.75 0.0005 0.5
8.25 0.001 0.5
8.75 0.0005 0.5
9.25 0.0005 0.5
9.75 0 0.5
10.25 0.0005 0.5
10.75 0.0005 0.5
11.25 0 0.5
11.75 0 0.5
12.25 0 0.5
12.75 0 0.5
13.25 0 0.5
13.75 0 0.5
14.25 0 0.5
14.75 0 0.5
15.25 0 0.5
15.75 0 0.5
16.25 0 0.5
16.75 0 0.5
17.25 0 0.5
17.75 0 0.5
18.25 0 0.5
18.75 0 0.5
19.25 0 0.5
19.75 0 0.5
EOD
set title 'score function (REINFORCE)' font ',12'
set xlabel 'estimate of ∂L/∂μ'
set ylabel 'density'
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
set style fill solid 0.5 border lc rgb '#333333'
plot $D1 using 1:2:3 with boxes lc rgb '#4e79a7' title 'single-sample estimates'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# histogram 'single-sample estimates': bin centre, height, bin width
$D2 << EOD
-29.75 0 0.5
-29.25 0 0.5
-28.75 0 0.5
-28.25 0 0.5
-27.75 0 0.5
-27.25 0 0.5
-26.75 0 0.5
-26.25 0 0.5
-25.75 0 0.5
-25.25 0 0.5
-24.75 0 0.5
-24.25 0 0.5
-23.75 0 0.5
-23.25 0 0.5
-22.75 0 0.5
-22.25 0 0.5
-21.75 0 0.5
-21.25 0 0.5
-20.75 0 0.5
-20.25 0 0.5
-19.75 0 0.5
-19.25 0 0.5
-18.75 0 0.5
-18.25 0 0.5
-17.75 0 0.5
-17.25 0 0.5
-16.75 0 0.5
-16.25 0 0.5
-15.75 0 0.5
-15.25 0 0.5
-14.75 0 0.5
-14.25 0 0.5
-13.75 0 0.5
-13.25 0 0.5
-12.75 0 0.5
-12.25 0 0.5
-11.75 0 0.5
-11.25 0 0.5
-10.75 0 0.5
-10.25 0 0.5
-9.75 0.0005 0.5
-9.25 0.002 0.5
-8.75 0.0035 0.5
-8.25 0.0035 0.5
-7.75 0.0115 0.5
-7.25 0.024 0.5
-6.75 0.036 0.5
-6.25 0.058 0.5
-5.75 0.072 0.5
-5.25 0.0975 0.5
-4.75 0.142 0.5
-4.25 0.1655 0.5
-3.75 0.1895 0.5
-3.25 0.211 0.5
-2.75 0.182 0.5
-2.25 0.19 0.5
-1.75 0.158 0.5
-1.25 0.14 0.5
-0.75 0.102 0.5
-0.25 0.0785 0.5
0.25 0.051 0.5
0.75 0.0345 0.5
1.25 0.021 0.5
1.75 0.012 0.5
2.25 0.006 0.5
2.75 0.004 0.5
3.25 0.003 0.5
3.75 0.001 0.5
4.25 0 0.5
4.75 0.0005 0.5
5.25 0 0.5
5.75 0 0.5
6.25 0 0.5
6.75 0 0.5
7.25 0 0.5
7.75 0 0.5
8.25 0 0.5
8.75 0 0.5
9.25 0 0.5
9.75 0 0.5
10.25 0 0.5
10.75 0 0.5
11.25 0 0.5
11.75 0 0.5
12.25 0 0.5
12.75 0 0.5
13.25 0 0.5
13.75 0 0.5
14.25 0 0.5
14.75 0 0.5
15.25 0 0.5
15.75 0 0.5
16.25 0 0.5
16.75 0 0.5
17.25 0 0.5
17.75 0 0.5
18.25 0 0.5
18.75 0 0.5
19.25 0 0.5
19.75 0 0.5
EOD
set title 'reparameterised (pathwise)' font ',12'
set xlabel 'estimate of ∂L/∂μ'
set ylabel 'density'
set grid lc rgb '#dddddd'
set key top right Left reverse opaque box lc rgb '#bbbbbb'
set style fill solid 0.5 border lc rgb '#333333'
plot $D2 using 1:2:3 with boxes lc rgb '#4e79a7' title 'single-sample estimates'
unset multiplot
unset output
