# bench-memory.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot bench-memory.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 1800,560 noenhanced font 'Sans,10'
set output 'bench-memory.png'
set encoding utf8
set multiplot layout 1,3 title 'Memory of one training step of the reference VAE (Adam) on AMD EPYC (2 cores, AVX-512; built for x86-64-v4), against torch 2.13.0+cpu' font ',13'

# ---- panel 1 of 3 ----
# series 'ours: peak − runtime': x y
$D1 << EOD
16 12.1445
32 20.0859
64 36.1523
128 66.957
256 128.406
512 243.836
EOD
# series 'ours: counted (layers, Adam)': x y
$D2 << EOD
16 8.38605
32 12.7781
64 21.5852
128 39.1994
256 74.428
512 144.893
EOD
# series 'ours: not counted (transient)': x y
$D3 << EOD
16 3.75848
32 7.30788
64 14.5672
128 27.7576
256 53.9783
512 98.9432
EOD
# series 'PyTorch: peak − import torch': x y
$D4 << EOD
16 108.668
32 115.137
64 124.145
128 158.797
256 217.742
512 310.074
EOD
set title 'Peak resident memory of a training process, less its runtime' font ',12'
set xlabel 'batch size'
set ylabel 'MiB'
set logscale x
set format x '%g'
set logscale y
set format y '%g'
set xrange [13.3333:614.4]
set yrange [2.50566:1240.3]
set grid lc rgb '#dddddd'
set xtics ('16' 16, '32' 32, '64' 64, '128' 128, '256' 256, '512' 512)
set key top left Left reverse opaque box lc rgb '#bbbbbb'
plot $D1 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'ours: peak − runtime', \
     $D2 using 1:2 with lines lw 2 dt 2 lc rgb '#1f77b4' title 'ours: counted (layers, Adam)', \
     $D3 using 1:2 with lines lw 2 dt 2 lc rgb '#7f7f7f' title 'ours: not counted (transient)', \
     $D4 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#d62728' title 'PyTorch: peak − import torch'

# ---- panel 2 of 3 ----
reset   # forget the previous panel's settings (not the terminal or data)
# series 'parameters + gradients': x y
$D5 << EOD
16 1.99785
32 1.99785
64 1.99785
128 1.99785
256 1.99785
512 1.99785
EOD
# series 'Adam's moments': x y
$D6 << EOD
16 1.9725
32 1.9725
64 1.9725
128 1.9725
256 1.9725
512 1.9725
EOD
# series 'kept for backward, scratch': x y
$D7 << EOD
16 1.15406
32 2.29987
64 4.59918
128 9.19781
256 18.3951
512 36.7896
EOD
# series 'im2col matrices': x y
$D8 << EOD
16 3.26163
32 6.50784
64 13.0156
128 26.0313
256 52.0625
512 104.133
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
plot $D5 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#4e79a7' title 'parameters + gradients', \
     $D6 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#f28e2b' title 'Adam''s moments', \
     $D7 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#59a14f' title 'kept for backward, scratch', \
     $D8 using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '#e15759' title 'im2col matrices'

# ---- panel 3 of 3 ----
reset   # forget the previous panel's settings (not the terminal or data)
# bars 'parameters + gradients': x, top, left, right, bottom, top, error
$D9 << EOD
0 0.00418091 -0.4 0.4 0 0.00418091 0
1 0.00105286 0.6 1.4 0 0.00105286 0
2 0.258224 1.6 2.4 0 0.258224 0
3 0.00202942 2.6 3.4 0 0.00202942 0
4 0.961166 3.6 4.4 0 0.961166 0
5 0.508224 4.6 5.4 0 0.508224 0
6 0.25798 5.6 6.4 0 0.25798 0
7 0.00105286 6.6 7.4 0 0.00105286 0
8 0.00393677 7.6 8.4 0 0.00393677 0
EOD
# bars 'Adam's moments': x, top, left, right, bottom, top, error
$D10 << EOD
0 0.0083313 -0.4 0.4 0.00418091 0.0083313 0
1 0.00203705 0.6 1.4 0.00105286 0.00203705 0
2 0.508713 1.6 2.4 0.258224 0.508713 0
3 0.00399017 2.6 3.4 0.00202942 0.00399017 0
4 1.9185 3.6 4.4 0.961166 1.9185 0
5 1.01067 4.6 5.4 0.508224 1.01067 0
6 0.508224 5.6 6.4 0.25798 0.508224 0
7 0.00203705 6.6 7.4 0.00105286 0.00203705 0
8 0.00785065 7.6 8.4 0.00393677 0.00785065 0
EOD
# bars 'kept for backward, scratch': x, top, left, right, bottom, top, error
$D11 << EOD
0 0.0083313 -0.4 0.4 0.0083313 0.0083313 0
1 3.06467 0.6 1.4 0.00203705 3.06467 0
2 0.508713 1.6 2.4 0.508713 0.508713 0
3 1.5355 2.6 3.4 0.00399017 1.5355 0
4 3.44976 3.6 4.4 1.9185 3.44976 0
5 1.02044 4.6 5.4 1.01067 1.02044 0
6 0.508224 5.6 6.4 0.508224 0.508224 0
7 3.06467 6.6 7.4 0.00203705 3.06467 0
8 0.00785065 7.6 8.4 0.00785065 0.00785065 0
EOD
# bars 'im2col matrices': x, top, left, right, bottom, top, error
$D12 << EOD
0 0.0083313 -0.4 0.4 0.0083313 0.0083313 0
1 3.06467 0.6 1.4 3.06467 3.06467 0
2 12.7587 1.6 2.4 0.508713 12.7587 0
3 1.5355 2.6 3.4 1.5355 1.5355 0
4 3.44976 3.6 4.4 3.44976 3.44976 0
5 1.02044 4.6 5.4 1.02044 1.02044 0
6 12.7582 5.6 6.4 0.508224 12.7582 0
7 3.06467 6.6 7.4 3.06467 3.06467 0
8 1.53911 7.6 8.4 0.00785065 1.53911 0
EOD
set title 'Per layer at batch 128' font ',12'
set ylabel 'MiB'
set yrange [0:20.414]
set grid lc rgb '#dddddd'
set xtics ('enc.conv1' 0, 'enc.bn1' 1, 'enc.conv2' 2, 'enc.bn2' 3, 'enc.fc' 4, 'dec.fc' 5, 'dec.deconv1' 6, 'dec.bn1' 7, 'dec.deconv2' 8) rotate by 30 right
set key top right Left reverse opaque box lc rgb '#bbbbbb'
set xrange [-0.6:8.6]
set style fill solid 0.85 border lc rgb '#333333'
set grid noxtics
plot $D9 using 1:2:3:4:5:6 with boxxyerror lc rgb '#4e79a7' title 'parameters + gradients', \
     $D10 using 1:2:3:4:5:6 with boxxyerror lc rgb '#f28e2b' title 'Adam''s moments', \
     $D11 using 1:2:3:4:5:6 with boxxyerror lc rgb '#59a14f' title 'kept for backward, scratch', \
     $D12 using 1:2:3:4:5:6 with boxxyerror lc rgb '#e15759' title 'im2col matrices'
unset multiplot
unset output
