// VAECore builds on VAENumerics (tensors, matrix multiply, random numbers, threads, clocks and
// atomic files) and VAEPlot (figures through gnuplot), and hands both on: a chapter or a tool
// that imports VAECore sees all three.
@_exported import VAENumerics
@_exported import VAEPlot
