# ch05-architecture.png: a gnuplot script written by VAEPlot (Sources/VAEPlot).
# Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
# Edit it, then re-render from the folder that holds this file, e.g.
#     cd figures && gnuplot ch05-architecture.gp
# (`set output` below names the figure relative to the current directory, so it is
# written beside this script only when gnuplot runs in this script's folder.)
# Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

set terminal pngcairo size 980,774 noenhanced font 'Sans,10'
set output 'ch05-architecture.png'
set encoding utf8
set title 'The VAE, the reference architecture, 20 latent dimensions: every layer with its output shape' font ',12'
unset key
unset border
unset xtics
unset ytics
unset grid
set lmargin at screen 0
set rmargin at screen 1
set bmargin at screen 0
set tmargin at screen 0.953488
set xrange [0:980]
set yrange [0:738]
set object 1 rect center 235, 637 size 400, 42 fc rgb '#ffffff' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'x: the image'."\n".'1×28×28, binary pixels' at 235, 637 center offset 0,0.45 front font ',9'
set object 2 rect center 235, 575 size 400, 42 fc rgb '#dbe9f6' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'conv1: conv 32 k4 s2 p1'."\n".'→ 32×14×14 · 544 params · 0.10M MACs' at 235, 575 center offset 0,0.45 front font ',9'
set object 3 rect center 235, 513 size 400, 42 fc rgb '#dcefd9' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'bn1: batchnorm'."\n".'→ 32×14×14 · 64 params' at 235, 513 center offset 0,0.45 front font ',9'
set object 4 rect center 235, 451 size 400, 34 fc rgb '#f3f3f3' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'relu1: relu'."\n".'→ 32×14×14' at 235, 451 center offset 0,0.45 front font ',9'
set object 5 rect center 235, 389 size 400, 42 fc rgb '#dbe9f6' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'conv2: conv 64 k4 s2 p1'."\n".'→ 64×7×7 · 32,832 params · 1.61M MACs' at 235, 389 center offset 0,0.45 front font ',9'
set object 6 rect center 235, 327 size 400, 42 fc rgb '#dcefd9' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'bn2: batchnorm'."\n".'→ 64×7×7 · 128 params' at 235, 327 center offset 0,0.45 front font ',9'
set object 7 rect center 235, 265 size 400, 34 fc rgb '#f3f3f3' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'relu2: relu'."\n".'→ 64×7×7' at 235, 265 center offset 0,0.45 front font ',9'
set object 8 rect center 235, 203 size 400, 34 fc rgb '#f3f3f3' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'flatten1: flatten'."\n".'→ 3136' at 235, 203 center offset 0,0.45 front font ',9'
set object 9 rect center 235, 141 size 400, 52 fc rgb '#fde2c8' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'fc: linear 40, the head'."\n".'→ 40 · 125,480 params · 0.13M MACs'."\n".'= [μ | log σ²], 20 each' at 235, 141 center offset 0,0.85 front font ',8.5'
set object 10 rect center 745, 141 size 400, 42 fc rgb '#fde2c8' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'fc: linear 3136'."\n".'→ 3136 · 65,856 params · 62.7k MACs' at 745, 141 center offset 0,0.45 front font ',9'
set object 11 rect center 745, 203 size 400, 34 fc rgb '#f3f3f3' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'relu1: relu'."\n".'→ 3136' at 745, 203 center offset 0,0.45 front font ',9'
set object 12 rect center 745, 265 size 400, 34 fc rgb '#f3f3f3' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'reshape1: reshape [64, 7, 7]'."\n".'→ 64×7×7' at 745, 265 center offset 0,0.45 front font ',9'
set object 13 rect center 745, 327 size 400, 42 fc rgb '#dbe9f6' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'deconv1: deconv 32 k4 s2 p1'."\n".'→ 32×14×14 · 32,800 params · 1.61M MACs' at 745, 327 center offset 0,0.45 front font ',9'
set object 14 rect center 745, 389 size 400, 42 fc rgb '#dcefd9' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'bn1: batchnorm'."\n".'→ 32×14×14 · 64 params' at 745, 389 center offset 0,0.45 front font ',9'
set object 15 rect center 745, 451 size 400, 34 fc rgb '#f3f3f3' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'relu2: relu'."\n".'→ 32×14×14' at 745, 451 center offset 0,0.45 front font ',9'
set object 16 rect center 745, 513 size 400, 42 fc rgb '#dbe9f6' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'deconv2: deconv 1 k4 s2 p1'."\n".'→ 1×28×28 · 513 params · 0.10M MACs' at 745, 513 center offset 0,0.45 front font ',9'
set object 17 rect center 745, 575 size 400, 42 fc rgb '#ffffff' fs solid 1.0 border lc rgb '#555555' lw 1.2 back
set label 'ℓ: one logit per pixel'."\n".'p(x|z) = Bernoulli(sigmoid(ℓ))' at 745, 575 center offset 0,0.45 front font ',9'
set object 18 rect center 490, 59 size 470, 46 fc rgb '#fff4d6' fs solid 1.0 border lc rgb '#b8860b' lw 1.2 dt 2 back
set label 'sample: z = μ + σ ⊙ ε,  σ = exp(½ log σ²),  ε ~ N(0, I)'."\n".'KL(q(z|x) ‖ N(0, I)) from μ and log σ² in closed form' at 490, 59 center offset 0,0.45 front font ',9'
set arrow 1 from 235, 616 to 235, 596 head filled size screen 0.008,25 lw 1.5 lc rgb '#555555' front
set arrow 2 from 235, 554 to 235, 534 head filled size screen 0.008,25 lw 1.5 lc rgb '#555555' front
set arrow 3 from 235, 492 to 235, 468 head filled size screen 0.008,25 lw 1.5 lc rgb '#555555' front
set arrow 4 from 235, 434 to 235, 410 head filled size screen 0.008,25 lw 1.5 lc rgb '#555555' front
set arrow 5 from 235, 368 to 235, 348 head filled size screen 0.008,25 lw 1.5 lc rgb '#555555' front
set arrow 6 from 235, 306 to 235, 282 head filled size screen 0.008,25 lw 1.5 lc rgb '#555555' front
set arrow 7 from 235, 248 to 235, 220 head filled size screen 0.008,25 lw 1.5 lc rgb '#555555' front
set arrow 8 from 235, 186 to 235, 167 head filled size screen 0.008,25 lw 1.5 lc rgb '#555555' front
set arrow 9 from 745, 162 to 745, 186 head filled size screen 0.008,25 lw 1.5 lc rgb '#555555' front
set arrow 10 from 745, 220 to 745, 248 head filled size screen 0.008,25 lw 1.5 lc rgb '#555555' front
set arrow 11 from 745, 282 to 745, 306 head filled size screen 0.008,25 lw 1.5 lc rgb '#555555' front
set arrow 12 from 745, 348 to 745, 368 head filled size screen 0.008,25 lw 1.5 lc rgb '#555555' front
set arrow 13 from 745, 410 to 745, 434 head filled size screen 0.008,25 lw 1.5 lc rgb '#555555' front
set arrow 14 from 745, 468 to 745, 492 head filled size screen 0.008,25 lw 1.5 lc rgb '#555555' front
set arrow 15 from 745, 534 to 745, 554 head filled size screen 0.008,25 lw 1.5 lc rgb '#555555' front
set arrow 16 from 235, 115 to 295, 82 head filled size screen 0.008,25 lw 1.5 lc rgb '#b8860b' front
set arrow 17 from 685, 82 to 745, 120 head filled size screen 0.008,25 lw 1.5 lc rgb '#b8860b' front
set label 'encoder q(z|x)' at 235, 690 center front font ',11' tc rgb '#000000'
set label 'decoder p(x|z)' at 745, 690 center front font ',11' tc rgb '#000000'
set label '258,281 parameters · 21.6 MFLOP per image for a training step (forward, and backward at twice its cost)' at 490, 720 center front font ',9' tc rgb '#333333'
plot NaN notitle
unset output
