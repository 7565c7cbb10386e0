# ch10-leave-out.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch10-leave-out.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1600,620 noenhanced font 'Sans,10'
set output 'ch10-leave-out.png'
set encoding utf8
set multiplot layout 1,2 title 'Leave one digit out: AUROC of each score, the held-out digit against the other nine'."\n".'(red: found; white: chance; blue: found more normal than the nine; typicality-m1: the test on single images)' font ',13'

# ---- panel 1 of 2 ----
# matrix 7x10, one row per line
$D1 << EOD
0.892508 0.270526 0.915116 0.792006 0.599856 0.761211 0.835061 0.578491 0.698127 0.410645
0.895071 0.271152 0.911864 0.792764 0.599607 0.761051 0.8365 0.575334 0.696028 0.411127
0.893084 0.273984 0.915403 0.792697 0.599451 0.762265 0.836434 0.576853 0.698762 0.410669
0.341721 0.452395 0.380012 0.275497 0.443152 0.273573 0.308156 0.525134 0.32594 0.51808
0.434594 0.255314 0.346231 0.412121 0.299585 0.220187 0.309576 0.490998 0.250211 0.278474
0.643007 0.986732 0.852807 0.71864 0.582024 0.698669 0.73803 0.839435 0.326384 0.375922
0.796183 0.47367 0.822476 0.649013 0.479018 0.582842 0.689615 0.520713 0.503746 0.451827
EOD
set title '2 latent dimensions' font ',12'
set xlabel 'held-out digit'
set ylabel 'score'
set palette defined (0 '#2166ac', 1 '#67a9cf', 2 '#f7f7f7', 3 '#ef8a62', 4 '#b2182b')
set cbrange [0:1]
set label '0.89' at 0, 0 center front font ',8' tc rgb '#ffffff'
set label '0.27' at 1, 0 center front font ',8' tc rgb '#000000'
set label '0.92' at 2, 0 center front font ',8' tc rgb '#ffffff'
set label '0.79' at 3, 0 center front font ',8' tc rgb '#000000'
set label '0.60' at 4, 0 center front font ',8' tc rgb '#000000'
set label '0.76' at 5, 0 center front font ',8' tc rgb '#000000'
set label '0.84' at 6, 0 center front font ',8' tc rgb '#000000'
set label '0.58' at 7, 0 center front font ',8' tc rgb '#000000'
set label '0.70' at 8, 0 center front font ',8' tc rgb '#000000'
set label '0.41' at 9, 0 center front font ',8' tc rgb '#000000'
set label '0.90' at 0, 1 center front font ',8' tc rgb '#ffffff'
set label '0.27' at 1, 1 center front font ',8' tc rgb '#000000'
set label '0.91' at 2, 1 center front font ',8' tc rgb '#ffffff'
set label '0.79' at 3, 1 center front font ',8' tc rgb '#000000'
set label '0.60' at 4, 1 center front font ',8' tc rgb '#000000'
set label '0.76' at 5, 1 center front font ',8' tc rgb '#000000'
set label '0.84' at 6, 1 center front font ',8' tc rgb '#000000'
set label '0.58' at 7, 1 center front font ',8' tc rgb '#000000'
set label '0.70' at 8, 1 center front font ',8' tc rgb '#000000'
set label '0.41' at 9, 1 center front font ',8' tc rgb '#000000'
set label '0.89' at 0, 2 center front font ',8' tc rgb '#ffffff'
set label '0.27' at 1, 2 center front font ',8' tc rgb '#000000'
set label '0.92' at 2, 2 center front font ',8' tc rgb '#ffffff'
set label '0.79' at 3, 2 center front font ',8' tc rgb '#000000'
set label '0.60' at 4, 2 center front font ',8' tc rgb '#000000'
set label '0.76' at 5, 2 center front font ',8' tc rgb '#000000'
set label '0.84' at 6, 2 center front font ',8' tc rgb '#000000'
set label '0.58' at 7, 2 center front font ',8' tc rgb '#000000'
set label '0.70' at 8, 2 center front font ',8' tc rgb '#000000'
set label '0.41' at 9, 2 center front font ',8' tc rgb '#000000'
set label '0.34' at 0, 3 center front font ',8' tc rgb '#000000'
set label '0.45' at 1, 3 center front font ',8' tc rgb '#000000'
set label '0.38' at 2, 3 center front font ',8' tc rgb '#000000'
set label '0.28' at 3, 3 center front font ',8' tc rgb '#000000'
set label '0.44' at 4, 3 center front font ',8' tc rgb '#000000'
set label '0.27' at 5, 3 center front font ',8' tc rgb '#000000'
set label '0.31' at 6, 3 center front font ',8' tc rgb '#000000'
set label '0.53' at 7, 3 center front font ',8' tc rgb '#000000'
set label '0.33' at 8, 3 center front font ',8' tc rgb '#000000'
set label '0.52' at 9, 3 center front font ',8' tc rgb '#000000'
set label '0.43' at 0, 4 center front font ',8' tc rgb '#000000'
set label '0.26' at 1, 4 center front font ',8' tc rgb '#000000'
set label '0.35' at 2, 4 center front font ',8' tc rgb '#000000'
set label '0.41' at 3, 4 center front font ',8' tc rgb '#000000'
set label '0.30' at 4, 4 center front font ',8' tc rgb '#000000'
set label '0.22' at 5, 4 center front font ',8' tc rgb '#000000'
set label '0.31' at 6, 4 center front font ',8' tc rgb '#000000'
set label '0.49' at 7, 4 center front font ',8' tc rgb '#000000'
set label '0.25' at 8, 4 center front font ',8' tc rgb '#000000'
set label '0.28' at 9, 4 center front font ',8' tc rgb '#000000'
set label '0.64' at 0, 5 center front font ',8' tc rgb '#000000'
set label '0.99' at 1, 5 center front font ',8' tc rgb '#ffffff'
set label '0.85' at 2, 5 center front font ',8' tc rgb '#ffffff'
set label '0.72' at 3, 5 center front font ',8' tc rgb '#000000'
set label '0.58' at 4, 5 center front font ',8' tc rgb '#000000'
set label '0.70' at 5, 5 center front font ',8' tc rgb '#000000'
set label '0.74' at 6, 5 center front font ',8' tc rgb '#000000'
set label '0.84' at 7, 5 center front font ',8' tc rgb '#000000'
set label '0.33' at 8, 5 center front font ',8' tc rgb '#000000'
set label '0.38' at 9, 5 center front font ',8' tc rgb '#000000'
set label '0.80' at 0, 6 center front font ',8' tc rgb '#000000'
set label '0.47' at 1, 6 center front font ',8' tc rgb '#000000'
set label '0.82' at 2, 6 center front font ',8' tc rgb '#000000'
set label '0.65' at 3, 6 center front font ',8' tc rgb '#000000'
set label '0.48' at 4, 6 center front font ',8' tc rgb '#000000'
set label '0.58' at 5, 6 center front font ',8' tc rgb '#000000'
set label '0.69' at 6, 6 center front font ',8' tc rgb '#000000'
set label '0.52' at 7, 6 center front font ',8' tc rgb '#000000'
set label '0.50' at 8, 6 center front font ',8' tc rgb '#000000'
set label '0.45' at 9, 6 center front font ',8' tc rgb '#000000'
unset key
set tics out nomirror
set xtics ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '6' 6, '7' 7, '8' 8, '9' 9)
set ytics ('neg-elbo' 0, 'iw-nll' 1, 'reconstruction' 2, 'kl' 3, 'mahalanobis' 4, 'complexity' 5, 'typicality-m1' 6)
# Row 0 at the top: the y axis runs downwards, as a matrix is written.
set xrange [-0.5:10 - 0.5]
set yrange [7 - 0.5:-0.5]
plot $D1 matrix with image notitle

# ---- panel 2 of 2 ----
reset   # forget the previous panel's settings (not the terminal or data)
# matrix 7x10, one row per line
$D2 << EOD
0.859982 0.0400699 0.867123 0.759775 0.721241 0.795857 0.796796 0.470436 0.873463 0.51116
0.860195 0.0340903 0.868062 0.7544 0.708251 0.793286 0.796968 0.452177 0.876233 0.50299
0.825911 0.0397921 0.858674 0.761084 0.732371 0.800555 0.78839 0.459205 0.882643 0.531494
0.928111 0.229488 0.774181 0.643648 0.536811 0.606796 0.73219 0.584728 0.531718 0.411418
0.922461 0.745543 0.866999 0.719248 0.662644 0.732209 0.84676 0.79242 0.563257 0.404722
0.313349 0.989337 0.662119 0.583835 0.625963 0.635452 0.602467 0.785395 0.399383 0.478134
0.729794 0.904865 0.751224 0.582364 0.539726 0.637122 0.635824 0.440319 0.756826 0.390531
EOD
set title '20 latent dimensions' font ',12'
set xlabel 'held-out digit'
set ylabel 'score'
set palette defined (0 '#2166ac', 1 '#67a9cf', 2 '#f7f7f7', 3 '#ef8a62', 4 '#b2182b')
set cbrange [0:1]
set label '0.86' at 0, 0 center front font ',8' tc rgb '#ffffff'
set label '0.04' at 1, 0 center front font ',8' tc rgb '#ffffff'
set label '0.87' at 2, 0 center front font ',8' tc rgb '#ffffff'
set label '0.76' at 3, 0 center front font ',8' tc rgb '#000000'
set label '0.72' at 4, 0 center front font ',8' tc rgb '#000000'
set label '0.80' at 5, 0 center front font ',8' tc rgb '#000000'
set label '0.80' at 6, 0 center front font ',8' tc rgb '#000000'
set label '0.47' at 7, 0 center front font ',8' tc rgb '#000000'
set label '0.87' at 8, 0 center front font ',8' tc rgb '#ffffff'
set label '0.51' at 9, 0 center front font ',8' tc rgb '#000000'
set label '0.86' at 0, 1 center front font ',8' tc rgb '#ffffff'
set label '0.03' at 1, 1 center front font ',8' tc rgb '#ffffff'
set label '0.87' at 2, 1 center front font ',8' tc rgb '#ffffff'
set label '0.75' at 3, 1 center front font ',8' tc rgb '#000000'
set label '0.71' at 4, 1 center front font ',8' tc rgb '#000000'
set label '0.79' at 5, 1 center front font ',8' tc rgb '#000000'
set label '0.80' at 6, 1 center front font ',8' tc rgb '#000000'
set label '0.45' at 7, 1 center front font ',8' tc rgb '#000000'
set label '0.88' at 8, 1 center front font ',8' tc rgb '#ffffff'
set label '0.50' at 9, 1 center front font ',8' tc rgb '#000000'
set label '0.83' at 0, 2 center front font ',8' tc rgb '#000000'
set label '0.04' at 1, 2 center front font ',8' tc rgb '#ffffff'
set label '0.86' at 2, 2 center front font ',8' tc rgb '#ffffff'
set label '0.76' at 3, 2 center front font ',8' tc rgb '#000000'
set label '0.73' at 4, 2 center front font ',8' tc rgb '#000000'
set label '0.80' at 5, 2 center front font ',8' tc rgb '#000000'
set label '0.79' at 6, 2 center front font ',8' tc rgb '#000000'
set label '0.46' at 7, 2 center front font ',8' tc rgb '#000000'
set label '0.88' at 8, 2 center front font ',8' tc rgb '#ffffff'
set label '0.53' at 9, 2 center front font ',8' tc rgb '#000000'
set label '0.93' at 0, 3 center front font ',8' tc rgb '#ffffff'
set label '0.23' at 1, 3 center front font ',8' tc rgb '#000000'
set label '0.77' at 2, 3 center front font ',8' tc rgb '#000000'
set label '0.64' at 3, 3 center front font ',8' tc rgb '#000000'
set label '0.54' at 4, 3 center front font ',8' tc rgb '#000000'
set label '0.61' at 5, 3 center front font ',8' tc rgb '#000000'
set label '0.73' at 6, 3 center front font ',8' tc rgb '#000000'
set label '0.58' at 7, 3 center front font ',8' tc rgb '#000000'
set label '0.53' at 8, 3 center front font ',8' tc rgb '#000000'
set label '0.41' at 9, 3 center front font ',8' tc rgb '#000000'
set label '0.92' at 0, 4 center front font ',8' tc rgb '#ffffff'
set label '0.75' at 1, 4 center front font ',8' tc rgb '#000000'
set label '0.87' at 2, 4 center front font ',8' tc rgb '#ffffff'
set label '0.72' at 3, 4 center front font ',8' tc rgb '#000000'
set label '0.66' at 4, 4 center front font ',8' tc rgb '#000000'
set label '0.73' at 5, 4 center front font ',8' tc rgb '#000000'
set label '0.85' at 6, 4 center front font ',8' tc rgb '#000000'
set label '0.79' at 7, 4 center front font ',8' tc rgb '#000000'
set label '0.56' at 8, 4 center front font ',8' tc rgb '#000000'
set label '0.40' at 9, 4 center front font ',8' tc rgb '#000000'
set label '0.31' at 0, 5 center front font ',8' tc rgb '#000000'
set label '0.99' at 1, 5 center front font ',8' tc rgb '#ffffff'
set label '0.66' at 2, 5 center front font ',8' tc rgb '#000000'
set label '0.58' at 3, 5 center front font ',8' tc rgb '#000000'
set label '0.63' at 4, 5 center front font ',8' tc rgb '#000000'
set label '0.64' at 5, 5 center front font ',8' tc rgb '#000000'
set label '0.60' at 6, 5 center front font ',8' tc rgb '#000000'
set label '0.79' at 7, 5 center front font ',8' tc rgb '#000000'
set label '0.40' at 8, 5 center front font ',8' tc rgb '#000000'
set label '0.48' at 9, 5 center front font ',8' tc rgb '#000000'
set label '0.73' at 0, 6 center front font ',8' tc rgb '#000000'
set label '0.90' at 1, 6 center front font ',8' tc rgb '#ffffff'
set label '0.75' at 2, 6 center front font ',8' tc rgb '#000000'
set label '0.58' at 3, 6 center front font ',8' tc rgb '#000000'
set label '0.54' at 4, 6 center front font ',8' tc rgb '#000000'
set label '0.64' at 5, 6 center front font ',8' tc rgb '#000000'
set label '0.64' at 6, 6 center front font ',8' tc rgb '#000000'
set label '0.44' at 7, 6 center front font ',8' tc rgb '#000000'
set label '0.76' at 8, 6 center front font ',8' tc rgb '#000000'
set label '0.39' at 9, 6 center front font ',8' tc rgb '#000000'
unset key
set tics out nomirror
set xtics ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '6' 6, '7' 7, '8' 8, '9' 9)
set ytics ('neg-elbo' 0, 'iw-nll' 1, 'reconstruction' 2, 'kl' 3, 'mahalanobis' 4, 'complexity' 5, 'typicality-m1' 6)
# Row 0 at the top: the y axis runs downwards, as a matrix is written.
set xrange [-0.5:10 - 0.5]
set yrange [7 - 0.5:-0.5]
plot $D2 matrix with image notitle
unset multiplot
unset output
