// VAECore builds on VAENumerics (tensors, matrix multiply, random numbers, threads, clocks and
// atomic files), VAENeural (layers, losses, optimizers) and VAEPlot (figures through gnuplot), and
// hands them on: a chapter or a tool that imports VAECore sees all four.
@_exported import VAENumerics
@_exported import VAENeural
@_exported import VAEPlot
