# bench-memory.png: a gnuplot script written by VAECore (Sources/VAECore/Plot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot bench-memory.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1800,560 noenhanced font 'Sans,10'
set output 'bench-memory.png'
set encoding utf8
set multiplot layout 1,3 title 'Memory of one training step of the reference VAE (Adam) on AMD EPYC, 2 cores, against torch 2.15.0+cu132' font ',13'

# ---- panel 1 of 3 ----
# series 'ours: peak resident − runtime': x y
$D1 << EOD
16 49.8047
32 93.8594
64 181.387
128 355.539
256 703.945
512 1398.63
EOD
# series 'ours: counted in the layers and Adam': x y
$D2 << EOD
16 13.7242
32 23.3683
64 42.7028
128 81.3718
256 158.71
512 313.397
EOD
# series 'PyTorch: peak resident − import torch': x y
$D3 << EOD
16 184.719
32 190.645
64 198.113
128 188.926
256 263.879
512 779.461
EOD
set title 'Peak resident memory of a training process, less its runtime' font ',12'
set xlabel 'batch size'
set ylabel 'MiB'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set xrange [13.3333:614.4]
set yrange [9.14949:5594.52]
set grid lc rgb '#dddddd'
set xtics ('16' 16, '32' 32, '64' 64, '128' 128, '256' 256, '512' 512)
set key top left Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'ours: peak resident − runtime', \
     $D2 using 1:2 with lines lw 2 dt 2 lc rgb '#1f77b4' title 'ours: counted in the layers and Adam', \
     $D3 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#d62728' title 'PyTorch: peak resident − import torch'

# ---- panel 2 of 3 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'parameters + gradients': x y
$D4 << EOD
16 1.99785
32 1.99785
64 1.99785
128 1.99785
256 1.99785
512 1.99785
EOD
# series 'Adam's moments': x y
$D5 << EOD
16 1.9725
32 1.9725
64 1.9725
128 1.9725
256 1.9725
512 1.9725
EOD
# series 'kept for backward, scratch': x y
$D6 << EOD
16 4.76186
32 9.44483
64 18.8262
128 37.5889
256 75.1143
512 150.165
EOD
# series 'im2col matrices': x y
$D7 << EOD
16 4.99201
32 9.95316
64 19.9063
128 39.8125
256 79.625
512 159.262
EOD
set title 'What our layers hold after a step, by kind' font ',12'
set xlabel 'batch size'
set ylabel 'MiB'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set xrange [13.3333:614.4]
set grid lc rgb '#dddddd'
set xtics ('16' 16, '32' 32, '64' 64, '128' 128, '256' 256, '512' 512)
set key top left Left reverse opaque box lc rgb '#bbbbbb'
plot $D4 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#4e79a7' title 'parameters + gradients', \
     $D5 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#f28e2b' title 'Adam''s moments', \
     $D6 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#59a14f' title 'kept for backward, scratch', \
     $D7 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#e15759' title 'im2col matrices'

# ---- panel 3 of 3 ----
reset   # forget the previous panel's settings (not the terminal or data)
# bars 'parameters + gradients': x, top, left, right, bottom, top, error
$D8 << EOD
0 0.00418091 -0.4 0.4 0 0.00418091 0
1 0.00105286 0.6 1.4 0 0.00105286 0
2 0 1.6 2.4 0 0 0
3 0.258224 2.6 3.4 0 0.258224 0
4 0.00202942 3.6 4.4 0 0.00202942 0
5 0 4.6 5.4 0 0 0
6 0.961166 5.6 6.4 0 0.961166 0
7 0.508224 6.6 7.4 0 0.508224 0
8 0 7.6 8.4 0 0 0
9 0.25798 8.6 9.4 0 0.25798 0
10 0.00105286 9.6 10.4 0 0.00105286 0
11 0 10.6 11.4 0 0 0
12 0.00393677 11.6 12.4 0 0.00393677 0
EOD
# bars 'Adam's moments': x, top, left, right, bottom, top, error
$D9 << EOD
0 0.0083313 -0.4 0.4 0.00418091 0.0083313 0
1 0.00203705 0.6 1.4 0.00105286 0.00203705 0
2 0 1.6 2.4 0 0 0
3 0.508713 2.6 3.4 0.258224 0.508713 0
4 0.00399017 3.6 4.4 0.00202942 0.00399017 0
5 0 4.6 5.4 0 0 0
6 1.9185 5.6 6.4 0.961166 1.9185 0
7 1.01067 6.6 7.4 0.508224 1.01067 0
8 0 7.6 8.4 0 0 0
9 0.508224 8.6 9.4 0.25798 0.508224 0
10 0.00203705 9.6 10.4 0.00105286 0.00203705 0
11 0 10.6 11.4 0 0 0
12 0.00785065 11.6 12.4 0.00393677 0.00785065 0
EOD
# bars 'kept for backward, scratch': x, top, left, right, bottom, top, error
$D10 << EOD
0 3.47759 -0.4 0.4 0.0083313 3.47759 0
1 3.06467 0.6 1.4 0.00203705 3.06467 0
2 3.06251 1.6 2.4 0 3.06251 0
3 5.11445 2.6 3.4 0.508713 5.11445 0
4 1.5355 3.6 4.4 0.00399017 1.5355 0
5 1.53126 4.6 5.4 0 1.53126 0
6 1.9185 5.6 6.4 1.9185 1.9185 0
7 1.02044 6.6 7.4 1.01067 1.02044 0
8 1.53126 7.6 8.4 0 1.53126 0
9 6.65718 8.6 9.4 0.508224 6.65718 0
10 3.06467 9.6 10.4 0.00203705 3.06467 0
11 3.06251 10.6 11.4 0 3.06251 0
12 6.51868 11.6 12.4 0.00785065 6.51868 0
EOD
# bars 'im2col matrices': x, top, left, right, bottom, top, error
$D11 << EOD
0 5.00885 -0.4 0.4 3.47759 5.00885 0
1 3.06467 0.6 1.4 3.06467 3.06467 0
2 3.06251 1.6 2.4 3.06251 3.06251 0
3 29.6145 2.6 3.4 5.11445 29.6145 0
4 1.5355 3.6 4.4 1.5355 1.5355 0
5 1.53126 4.6 5.4 1.53126 1.53126 0
6 1.9185 5.6 6.4 1.9185 1.9185 0
7 1.02044 6.6 7.4 1.02044 1.02044 0
8 1.53126 7.6 8.4 1.53126 1.53126 0
9 18.9072 8.6 9.4 6.65718 18.9072 0
10 3.06467 9.6 10.4 3.06467 3.06467 0
11 3.06251 10.6 11.4 3.06251 3.06251 0
12 8.04994 11.6 12.4 6.51868 8.04994 0
EOD
set title 'Per layer at batch 128' font ',12'
set ylabel 'MiB'
set grid lc rgb '#dddddd'
set xtics ('enc.conv1' 0, 'enc.bn1' 1, 'enc.relu1' 2, 'enc.conv2' 3, 'enc.bn2' 4, 'enc.relu2' 5, 'enc.fc' 6, 'dec.fc' 7, 'dec.relu1' 8, 'dec.deconv1' 9, 'dec.bn1' 10, 'dec.relu2' 11, 'dec.deconv2' 12) rotate by 30 right
set key top right Left reverse opaque box lc rgb '#bbbbbb'
set yrange [0:31.9836]
set xrange [-0.6:12.6]
set style fill solid 0.85 border lc rgb '#333333'
set grid noxtics
plot $D8 using 1:2:3:4:5:6 with boxxyerror lc rgb '#4e79a7' title 'parameters + gradients', \
     $D9 using 1:2:3:4:5:6 with boxxyerror lc rgb '#f28e2b' title 'Adam''s moments', \
     $D10 using 1:2:3:4:5:6 with boxxyerror lc rgb '#59a14f' title 'kept for backward, scratch', \
     $D11 using 1:2:3:4:5:6 with boxxyerror lc rgb '#e15759' title 'im2col matrices'
unset multiplot
unset output
