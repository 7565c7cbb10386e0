# ch09-noise.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch09-noise.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1800,1000 noenhanced font 'Sans,10'
set output 'ch09-noise.png'
set encoding utf8
set multiplot layout 2,3 title 'Each setting''s ELBO minus its sweep''s reference (the baseline, or Adam at its rate): blue the first seed (--seed), orange the second; dashed: ± the sweep''s noise' font ',13'

# ---- panel 1 of 6 ----
# series 'first seed (--seed)': x y
$D1 << EOD
0 -57.5741
1 -26.1807
2 -7.24173
3 0
4 -1.32673
5 -5.43182
EOD
# series 'second seed': x y
$D2 << EOD
0 -57.796
1 -27.1843
2 -9.77172
3 0
4 -1.57233
5 -5.55894
EOD
# series '± noise': x y
$D3 << EOD
-0.5 0.245601
5.5 0.245601
EOD
# series '': x y
$D4 << EOD
-0.5 -0.245601
5.5 -0.245601
EOD
set title 'latent (noise ± 0.25 nats)' font ',12'
set xlabel 'setting'
set ylabel 'ELBO − the reference''s [nats]'
set xrange [-0.5:5.5]
set grid lc rgb '#dddddd'
set xtics ('2' 0, '5' 1, '10' 2, '20' 3, '50' 4, '100' 5)
unset key
plot $D1 using 1:2 with points pt 7 ps 1.5 lc rgb '#1f77b4' title 'first seed (--seed)', \
     $D2 using 1:2 with points pt 7 ps 1.5 lc rgb '#ff7f0e' title 'second seed', \
     $D3 using 1:2 with lines lw 1 dt 2 lc rgb '#777777' title '± noise', \
     $D4 using 1:2 with lines lw 1 dt 2 lc rgb '#777777' title ''

# ---- panel 2 of 6 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'first seed (--seed)': x y
$D5 << EOD
0 -11.5274
1 -8.16869
2 0
3 -0.0147653
4 -9.17892
5 -5.40344
EOD
# series 'second seed': x y
$D6 << EOD
0 -12.3658
1 -6.09365
2 0
3 0.0656131
4 -8.53138
5 -5.94283
EOD
# series '± noise': x y
$D7 << EOD
-0.5 0.647538
5.5 0.647538
EOD
# series '': x y
$D8 << EOD
-0.5 -0.647538
5.5 -0.647538
EOD
set title 'optimizer (noise ± 0.65 nats)' font ',12'
set xlabel 'setting'
set ylabel 'ELBO − the reference''s [nats]'
set xrange [-0.5:5.5]
set grid lc rgb '#dddddd'
set xtics ('sgd' 0, 'sgd-momentum' 1, 'adam' 2, 'adamw' 3, 'rmsprop' 4, 'adam-baseline' 5) rotate by 30 right
unset key
plot $D5 using 1:2 with points pt 7 ps 1.5 lc rgb '#1f77b4' title 'first seed (--seed)', \
     $D6 using 1:2 with points pt 7 ps 1.5 lc rgb '#ff7f0e' title 'second seed', \
     $D7 using 1:2 with lines lw 1 dt 2 lc rgb '#777777' title '± noise', \
     $D8 using 1:2 with lines lw 1 dt 2 lc rgb '#777777' title ''

# ---- panel 3 of 6 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'first seed (--seed)': x y
$D9 << EOD
0 2.41018
1 -1.82264
2 0
3 -2.868
EOD
# series 'second seed': x y
$D10 << EOD
0 2.87507
1 -2.02223
2 0
3 -4.08394
EOD
# series '± noise': x y
$D11 << EOD
-0.5 0.464894
3.5 0.464894
EOD
# series '': x y
$D12 << EOD
-0.5 -0.464894
3.5 -0.464894
EOD
set title 'schedule (noise ± 0.46 nats)' font ',12'
set xlabel 'setting'
set ylabel 'ELBO − the reference''s [nats]'
set xrange [-0.5:3.5]
set grid lc rgb '#dddddd'
set xtics ('constant' 0, 'step' 1, 'cosine' 2, 'warmup' 3) rotate by 30 right
unset key
plot $D9 using 1:2 with points pt 7 ps 1.5 lc rgb '#1f77b4' title 'first seed (--seed)', \
     $D10 using 1:2 with points pt 7 ps 1.5 lc rgb '#ff7f0e' title 'second seed', \
     $D11 using 1:2 with lines lw 1 dt 2 lc rgb '#777777' title '± noise', \
     $D12 using 1:2 with lines lw 1 dt 2 lc rgb '#777777' title ''

# ---- panel 4 of 6 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'first seed (--seed)': x y
$D13 << EOD
0 6.25442
1 0
2 -31.7023
EOD
# series 'second seed': x y
$D14 << EOD
0 6.75558
1 0
2 -36.4532
EOD
# series '± noise': x y
$D15 << EOD
-0.5 2.62604
2.5 2.62604
EOD
# series '': x y
$D16 << EOD
-0.5 -2.62604
2.5 -2.62604
EOD
set title 'batch (noise ± 2.63 nats)' font ',12'
set xlabel 'setting'
set ylabel 'ELBO − the reference''s [nats]'
set xrange [-0.5:2.5]
set grid lc rgb '#dddddd'
set xtics ('32' 0, '128' 1, '512' 2)
unset key
plot $D13 using 1:2 with points pt 7 ps 1.5 lc rgb '#1f77b4' title 'first seed (--seed)', \
     $D14 using 1:2 with points pt 7 ps 1.5 lc rgb '#ff7f0e' title 'second seed', \
     $D15 using 1:2 with lines lw 1 dt 2 lc rgb '#777777' title '± noise', \
     $D16 using 1:2 with lines lw 1 dt 2 lc rgb '#777777' title ''

# ---- panel 5 of 6 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'first seed (--seed)': x y
$D17 << EOD
0 0
1 -0.559534
2 0.0476094
EOD
# series 'second seed': x y
$D18 << EOD
0 0
1 -0.448137
2 -0.0742235
EOD
# series '± noise': x y
$D19 << EOD
-0.5 0.116615
2.5 0.116615
EOD
# series '': x y
$D20 << EOD
-0.5 -0.116615
2.5 -0.116615
EOD
set title 'kl (noise ± 0.12 nats)' font ',12'
set xlabel 'setting'
set ylabel 'ELBO − the reference''s [nats]'
set xrange [-0.5:2.5]
set grid lc rgb '#dddddd'
set xtics ('none' 0, 'warmup' 1, 'free-bits' 2) rotate by 30 right
unset key
plot $D17 using 1:2 with points pt 7 ps 1.5 lc rgb '#1f77b4' title 'first seed (--seed)', \
     $D18 using 1:2 with points pt 7 ps 1.5 lc rgb '#ff7f0e' title 'second seed', \
     $D19 using 1:2 with lines lw 1 dt 2 lc rgb '#777777' title '± noise', \
     $D20 using 1:2 with lines lw 1 dt 2 lc rgb '#777777' title ''

# ---- panel 6 of 6 ----
reset   # forget the previous panel's settings (not the terminal or data)
# bars 'noise': x, top, left, right, bottom, top, error
$D21 << EOD
0 0.245601 -0.4 0.4 0 0.245601 0
1 0.647538 0.6 1.4 0 0.647538 0
2 0.464894 1.6 2.4 0 0.464894 0
3 2.62604 2.6 3.4 0 2.62604 0
4 0.116615 3.6 4.4 0 0.116615 0
EOD
set title 'The noise of each sweep: the median seed-to-seed spread' font ',12'
set xlabel 'sweep'
set ylabel 'nats'
set grid lc rgb '#dddddd'
set xtics ('latent' 0, 'optimizer' 1, 'schedule' 2, 'batch' 3, 'kl' 4) rotate by 30 right
unset key
set yrange [0:3.01995]
set xrange [-0.6:4.6]
set style fill solid 0.85 border lc rgb '#333333'
set grid noxtics
plot $D21 using 1:2:3:4:5:6 with boxxyerror lc rgb '#1f77b4' title 'noise', \
     $D21 using 1:($2 + $7):(sprintf('%.2f', $2)) with labels offset 0,0.7 font ',8' notitle
unset multiplot
unset output
