// VAENeural builds on VAENumerics (tensors, matrix multiply, random numbers, threads) and hands it
// on: the layers, losses and optimizers take and return its tensors.
@_exported import VAENumerics
