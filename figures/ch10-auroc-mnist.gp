# ch10-auroc-mnist.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch10-auroc-mnist.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1000,620 noenhanced font 'Sans,10'
set output 'ch10-auroc-mnist.png'
set encoding utf8
# matrix 7x7, one row per line
$D1 << EOD
0.999815 1 0.00059025 0.990151 1 0.779432 0.871496
0.999826 1 0 0.989642 1 0.767542 0.858723
0.999874 1 0.000707 0.991847 1 0.776114 0.855851
0.698223 0.104263 0.0275 0.594643 1 0.657577 0.851571
0.68213 0.502165 0.625 0.746542 1 0.724622 0.897763
0.999993 1 0.00433625 0.997076 1 0.654653 0.70928
0.997061 1 1 0.999971 1 0.67692 0.774338
EOD
set title 'The model of digits: AUROC of each score against each set it never saw'."\n".'(1, red: every anomaly scores above every test image; 0.5, white: chance; 0, blue: reversed)' font ',12'
set xlabel 'out-of-distribution set'
set ylabel 'score'
set palette defined (0 '#2166ac', 1 '#67a9cf', 2 '#f7f7f7', 3 '#ef8a62', 4 '#b2182b')
set cbrange [0:1]
set label '1.00' at 0, 0 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 1, 0 center front font ',8' tc rgb '#ffffff'
set label '0.00' at 2, 0 center front font ',8' tc rgb '#ffffff'
set label '0.99' at 3, 0 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 4, 0 center front font ',8' tc rgb '#ffffff'
set label '0.78' at 5, 0 center front font ',8' tc rgb '#000000'
set label '0.87' at 6, 0 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 0, 1 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 1, 1 center front font ',8' tc rgb '#ffffff'
set label '0.00' at 2, 1 center front font ',8' tc rgb '#ffffff'
set label '0.99' at 3, 1 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 4, 1 center front font ',8' tc rgb '#ffffff'
set label '0.77' at 5, 1 center front font ',8' tc rgb '#000000'
set label '0.86' at 6, 1 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 0, 2 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 1, 2 center front font ',8' tc rgb '#ffffff'
set label '0.00' at 2, 2 center front font ',8' tc rgb '#ffffff'
set label '0.99' at 3, 2 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 4, 2 center front font ',8' tc rgb '#ffffff'
set label '0.78' at 5, 2 center front font ',8' tc rgb '#000000'
set label '0.86' at 6, 2 center front font ',8' tc rgb '#ffffff'
set label '0.70' at 0, 3 center front font ',8' tc rgb '#000000'
set label '0.10' at 1, 3 center front font ',8' tc rgb '#ffffff'
set label '0.03' at 2, 3 center front font ',8' tc rgb '#ffffff'
set label '0.59' at 3, 3 center front font ',8' tc rgb '#000000'
set label '1.00' at 4, 3 center front font ',8' tc rgb '#ffffff'
set label '0.66' at 5, 3 center front font ',8' tc rgb '#000000'
set label '0.85' at 6, 3 center front font ',8' tc rgb '#ffffff'
set label '0.68' at 0, 4 center front font ',8' tc rgb '#000000'
set label '0.50' at 1, 4 center front font ',8' tc rgb '#000000'
set label '0.62' at 2, 4 center front font ',8' tc rgb '#000000'
set label '0.75' at 3, 4 center front font ',8' tc rgb '#000000'
set label '1.00' at 4, 4 center front font ',8' tc rgb '#ffffff'
set label '0.72' at 5, 4 center front font ',8' tc rgb '#000000'
set label '0.90' at 6, 4 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 0, 5 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 1, 5 center front font ',8' tc rgb '#ffffff'
set label '0.00' at 2, 5 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 3, 5 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 4, 5 center front font ',8' tc rgb '#ffffff'
set label '0.65' at 5, 5 center front font ',8' tc rgb '#000000'
set label '0.71' at 6, 5 center front font ',8' tc rgb '#000000'
set label '1.00' at 0, 6 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 1, 6 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 2, 6 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 3, 6 center front font ',8' tc rgb '#ffffff'
set label '1.00' at 4, 6 center front font ',8' tc rgb '#ffffff'
set label '0.68' at 5, 6 center front font ',8' tc rgb '#000000'
set label '0.77' at 6, 6 center front font ',8' tc rgb '#000000'
unset key
set tics out nomirror
set xtics ('fashion' 0, 'noise' 1, 'blank' 2, 'constant' 3, 'inverted' 4, 'mirrored' 5, 'rotated' 6) rotate by 30 right
set ytics ('neg-elbo' 0, 'iw-nll' 1, 'reconstruction' 2, 'kl' 3, 'mahalanobis' 4, 'likelihood-ratio' 5, 'complexity' 6)
# Row 0 at the top: the y axis runs downwards, as a matrix is written.
set xrange [-0.5:7 - 0.5]
set yrange [7 - 0.5:-0.5]
plot $D1 matrix with image notitle
unset output
