# ch11-coherence-diversity.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch11-coherence-diversity.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.
# figure-lint waives axis-range: diversity from 0, past the real digits' spread (1) and the target at half of it, so that every kind of draw is read on one scale

set terminal pngcairo size 1200,900 noenhanced font 'Sans,10'
set output 'ch11-coherence-diversity.png'
set encoding utf8
set multiplot layout 2,1 title 'Coherent and varied? Each point one class of one kind of draw, judged by the digit classifier' font ',13'

# ---- panel 1 of 2 ----
# series 'CVAE of chapter 7': x y
$D1 << EOD
0.840147 1
0.86628 0.998
0.736478 0.998
0.776846 0.997
0.759988 1
0.746506 0.99
0.770869 0.991
0.79828 0.989
0.713439 0.995
0.79897 0.996
EOD
# series 'label → image, mean images': x y
$D2 << EOD
0.143881 1
0.185399 0.995595
0.132416 0.998062
0.140213 0.99901
0.132914 0.974542
0.125004 0.996637
0.126969 1
0.142427 0.997082
0.1364 0.995893
0.134453 0.999009
EOD
# series 'clothing → digit, mean images': x y
$D3 << EOD
0.235307 0.854082
0.214996 0.951542
0.201375 0.839147
0.216212 0.913861
0.219265 0.639511
0.167741 0.911435
0.291261 0.514614
0.168464 0.905642
0.174791 0.947639
0.160903 0.943508
EOD
set title 'diversity on the pixels' font ',12'
set xlabel 'diversity: mean distance between two draws of a class / between two real ones'
set ylabel 'coherence: share judged as the class asked'
set xrange [0:1.1]
set yrange [0:1.05]
set grid lc rgb '#dddddd'
set key outside right top
set style textbox opaque noborder margins 0.5,0.5
set arrow 1 from first 0.5, graph 0 to first 0.5, graph 1 nohead dt 2 lw 1.5 lc rgb '#444444' front
set label 'half the real spread' at first 0.5, graph 0.03 left rotate by 90 offset 1.2,0 font ',9' tc rgb '#444444' boxed front
set arrow 2 from graph 0, first 0.95 to graph 1, first 0.95 nohead dt 2 lw 1.5 lc rgb '#444444' front
set label '0.95' at graph 0.01, first 0.95 left offset 0,-0.7 font ',9' tc rgb '#444444' boxed front
plot $D1 using 1:2 with points pt 7 ps 1 lc rgb '#1f77b4' title '', \
     NaN with points pt 7 ps 1.5 lc rgb '#1f77b4' title 'CVAE of chapter 7', \
     $D2 using 1:2 with points pt 5 ps 1 lc rgb '#ff7f0e' title '', \
     NaN with points pt 5 ps 1.5 lc rgb '#ff7f0e' title 'label → image, mean images', \
     $D3 using 1:2 with points pt 9 ps 1 lc rgb '#2ca02c' title '', \
     NaN with points pt 9 ps 1.5 lc rgb '#2ca02c' title 'clothing → digit, mean images'

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'CVAE of chapter 7': x y
$D4 << EOD
0.961109 1
0.898929 0.998
0.860956 0.998
0.867431 0.997
0.869729 1
0.862585 0.99
0.853197 0.991
0.788867 0.989
0.836468 0.995
0.858109 0.996
EOD
# series 'label → image, mean images': x y
$D5 << EOD
0.223351 1
0.406927 0.995595
0.275606 0.998062
0.25806 0.99901
0.391608 0.974542
0.295603 0.996637
0.230334 1
0.254008 0.997082
0.321386 0.995893
0.293782 0.999009
EOD
# series 'clothing → digit, mean images': x y
$D6 << EOD
0.612367 0.854082
0.562586 0.951542
0.662561 0.839147
0.596702 0.913861
0.862261 0.639511
0.495408 0.911435
0.970379 0.514614
0.394402 0.905642
0.499097 0.947639
0.437488 0.943508
EOD
set title 'diversity on the judge''s 128 features' font ',12'
set xlabel 'diversity: mean distance between two draws of a class / between two real ones'
set ylabel 'coherence: share judged as the class asked'
set xrange [0:1.1]
set yrange [0:1.05]
set grid lc rgb '#dddddd'
set key outside right top
set style textbox opaque noborder margins 0.5,0.5
set arrow 1 from first 0.5, graph 0 to first 0.5, graph 1 nohead dt 2 lw 1.5 lc rgb '#444444' front
set label 'half the real spread' at first 0.5, graph 0.03 left rotate by 90 offset 1.2,0 font ',9' tc rgb '#444444' boxed front
set arrow 2 from graph 0, first 0.95 to graph 1, first 0.95 nohead dt 2 lw 1.5 lc rgb '#444444' front
set label '0.95' at graph 0.01, first 0.95 left offset 0,-0.7 font ',9' tc rgb '#444444' boxed front
plot $D4 using 1:2 with points pt 7 ps 1 lc rgb '#1f77b4' title '', \
     NaN with points pt 7 ps 1.5 lc rgb '#1f77b4' title 'CVAE of chapter 7', \
     $D5 using 1:2 with points pt 5 ps 1 lc rgb '#ff7f0e' title '', \
     NaN with points pt 5 ps 1.5 lc rgb '#ff7f0e' title 'label → image, mean images', \
     $D6 using 1:2 with points pt 9 ps 1 lc rgb '#2ca02c' title '', \
     NaN with points pt 9 ps 1.5 lc rgb '#2ca02c' title 'clothing → digit, mean images'
unset multiplot
unset output
