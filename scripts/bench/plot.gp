# SPDX-License-Identifier: BSD-3-Clause
# Mpps per system and capture, as clustered bars (scripts/bench.sh).
# gnuplot -e "datafile='...'; outfile='...'; ncols=N; plottitle='...'" plot.gp
# datafile: a header line "capture SYSTEM...", then one line per capture.
set terminal pngcairo size 1100,600 font "sans,10"
set output outfile
set title plottitle
set ylabel "Mpps (median)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key outside bottom center horizontal
set grid ytics
set yrange [0:*]
plot for [i=2:ncols] datafile using i:xtic(1) title columnheader(i)
