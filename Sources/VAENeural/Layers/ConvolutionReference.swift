// The reference convolutions: the definitions written as loops, one multiply-add at a time,
// accumulated in Double. Slow on purpose and obviously right; `Conv2d` and `ConvTranspose2d`
// (im2col + GEMM) are tested against them.
//
// Layouts are PyTorch's: input (B, C, H, W); Conv2d weight (O, C, kh, kw);
// ConvTranspose2d weight (Cin, Cout, kh, kw). Stride s and padding p per axis.

/// The gradients of a convolution's loss with respect to its input, weight and bias.
struct ConvolutionGradients {
    public var input: Tensor
    public var weight: Tensor
    public var bias: Tensor
}

/// Checks the ranks and channel counts the reference loops rely on; returns (B, C, H, W) and
/// the weight's (dim0, dim1, kh, kw).
private func referenceShapes(_ input: Tensor, _ weight: Tensor, inputChannelsAxis: Int) throws
    -> (b: Int, c: Int, h: Int, w: Int, w0: Int, w1: Int, kh: Int, kw: Int) {
    guard input.rank == 4, weight.rank == 4, input.shape[1] == weight.shape[inputChannelsAxis] else {
        throw LayerConfigurationError("reference convolution: input \(input.shape) does not match weight \(weight.shape)")
    }
    let (s, w) = (input.shape, weight.shape)
    return (s[0], s[1], s[2], s[3], w[0], w[1], w[2], w[3])
}

/// y[n, o, oh, ow] = b[o] + Σ_c Σ_ki Σ_kj W[o, c, ki, kj] · x[n, c, oh·sh − ph + ki, ow·sw − pw + kj],
/// with x = 0 outside the image. The seven loops of the definition.
/// - Complexity: B·O·OH·OW·C·kh·kw multiply-adds.
public func conv2dReference(input: Tensor, weight: Tensor, bias: Tensor?,
                            stride: (height: Int, width: Int) = (1, 1),
                            padding: (height: Int, width: Int) = (0, 0)) throws -> Tensor {
    let d = try referenceShapes(input, weight, inputChannelsAxis: 1)
    let g = try ConvGeometry(channels: d.c, height: d.h, width: d.w, kernel: (d.kh, d.kw), stride: stride, padding: padding)
    let (O, OH, OW) = (d.w0, g.outputHeight, g.outputWidth)
    let x = input.scalars, w = weight.scalars
    var y = Tensor(shape: [d.b, O, OH, OW])
    for n in 0..<d.b {
        for o in 0..<O {
            for oh in 0..<OH {
                for ow in 0..<OW {
                    var sum = Double(bias?.scalars[o] ?? 0)
                    for c in 0..<d.c {
                        for ki in 0..<d.kh {
                            for kj in 0..<d.kw {
                                let ih = oh * stride.height - padding.height + ki
                                let iw = ow * stride.width - padding.width + kj
                                guard ih >= 0, ih < d.h, iw >= 0, iw < d.w else { continue }
                                sum += Double(w[((o * d.c + c) * d.kh + ki) * d.kw + kj])
                                    * Double(x[((n * d.c + c) * d.h + ih) * d.w + iw])
                            }
                        }
                    }
                    y.scalars[((n * O + o) * OH + oh) * OW + ow] = Float(sum)
                }
            }
        }
    }
    return y
}

/// The backward pass of `conv2dReference` by the same seven loops: every term
/// W[o,c,ki,kj]·x[n,c,ih,iw] of y[n,o,oh,ow] sends dy·x to dW[o,c,ki,kj] and dy·W to dx[n,c,ih,iw];
/// db[o] = Σ dy[n,o,·,·].
func conv2dBackwardReference(input: Tensor, weight: Tensor, outputGradient dy: Tensor,
                                    stride: (height: Int, width: Int) = (1, 1),
                                    padding: (height: Int, width: Int) = (0, 0)) throws -> ConvolutionGradients {
    let d = try referenceShapes(input, weight, inputChannelsAxis: 1)
    let g = try ConvGeometry(channels: d.c, height: d.h, width: d.w, kernel: (d.kh, d.kw), stride: stride, padding: padding)
    let (O, OH, OW) = (d.w0, g.outputHeight, g.outputWidth)
    guard dy.shape == [d.b, O, OH, OW] else {
        throw LayerConfigurationError("output gradient \(dy.shape) should be \([d.b, O, OH, OW])")
    }
    let x = input.scalars, w = weight.scalars, gy = dy.scalars
    var dx = [Double](repeating: 0, count: input.count)
    var dw = [Double](repeating: 0, count: weight.count)
    var db = [Double](repeating: 0, count: O)
    for n in 0..<d.b {
        for o in 0..<O {
            for oh in 0..<OH {
                for ow in 0..<OW {
                    let upstream = Double(gy[((n * O + o) * OH + oh) * OW + ow])
                    db[o] += upstream
                    for c in 0..<d.c {
                        for ki in 0..<d.kh {
                            for kj in 0..<d.kw {
                                let ih = oh * stride.height - padding.height + ki
                                let iw = ow * stride.width - padding.width + kj
                                guard ih >= 0, ih < d.h, iw >= 0, iw < d.w else { continue }
                                let wi = ((o * d.c + c) * d.kh + ki) * d.kw + kj
                                let xi = ((n * d.c + c) * d.h + ih) * d.w + iw
                                dw[wi] += upstream * Double(x[xi])
                                dx[xi] += upstream * Double(w[wi])
                            }
                        }
                    }
                }
            }
        }
    }
    return ConvolutionGradients(input: Tensor(shape: input.shape, scalars: dx.map(Float.init)),
                                weight: Tensor(shape: weight.shape, scalars: dw.map(Float.init)),
                                bias: Tensor(shape: [O], scalars: db.map(Float.init)))
}

/// The output size of a transposed convolution along one axis: (H − 1)·s − 2p + k + outputPadding.
@inlinable
public func convTransposeOutputSize(input: Int, kernel: Int, stride: Int, padding: Int, outputPadding: Int) -> Int {
    (input - 1) * stride - 2 * padding + kernel + outputPadding
}

/// The transposed convolution by its definition: every input value scatters a scaled copy of
/// its filter onto the output,
/// y[n, co, ih·sh − ph + ki, iw·sw − pw + kj] += x[n, ci, ih, iw] · W[ci, co, ki, kj],
/// dropping what lands outside, then y += b[co]. Seven loops.
public func convTranspose2dReference(input: Tensor, weight: Tensor, bias: Tensor?,
                                     stride: (height: Int, width: Int) = (1, 1),
                                     padding: (height: Int, width: Int) = (0, 0),
                                     outputPadding: (height: Int, width: Int) = (0, 0)) throws -> Tensor {
    let d = try referenceShapes(input, weight, inputChannelsAxis: 0)
    let Co = d.w1
    let OH = convTransposeOutputSize(input: d.h, kernel: d.kh, stride: stride.height, padding: padding.height,
                                     outputPadding: outputPadding.height)
    let OW = convTransposeOutputSize(input: d.w, kernel: d.kw, stride: stride.width, padding: padding.width,
                                     outputPadding: outputPadding.width)
    guard OH > 0, OW > 0 else { throw LayerConfigurationError("transposed convolution output \(OH)×\(OW) is empty") }
    let x = input.scalars, w = weight.scalars
    var y = [Double](repeating: 0, count: d.b * Co * OH * OW)
    for n in 0..<d.b {
        for ci in 0..<d.c {
            for ih in 0..<d.h {
                for iw in 0..<d.w {
                    let value = Double(x[((n * d.c + ci) * d.h + ih) * d.w + iw])
                    for co in 0..<Co {
                        for ki in 0..<d.kh {
                            for kj in 0..<d.kw {
                                let oh = ih * stride.height - padding.height + ki
                                let ow = iw * stride.width - padding.width + kj
                                guard oh >= 0, oh < OH, ow >= 0, ow < OW else { continue }
                                y[((n * Co + co) * OH + oh) * OW + ow] +=
                                    value * Double(w[((ci * Co + co) * d.kh + ki) * d.kw + kj])
                            }
                        }
                    }
                }
            }
        }
    }
    if let bias {
        for i in y.indices { y[i] += Double(bias.scalars[(i / (OH * OW)) % Co]) }
    }
    return Tensor(shape: [d.b, Co, OH, OW], scalars: y.map(Float.init))
}

/// The backward pass of `convTranspose2dReference` by the same loops: each term x·W of
/// y[n,co,oh,ow] sends dy·W to dx[n,ci,ih,iw] and dy·x to dW[ci,co,ki,kj]; db[co] = Σ dy[n,co,·,·].
func convTranspose2dBackwardReference(input: Tensor, weight: Tensor, outputGradient dy: Tensor,
                                             stride: (height: Int, width: Int) = (1, 1),
                                             padding: (height: Int, width: Int) = (0, 0)) throws -> ConvolutionGradients {
    let d = try referenceShapes(input, weight, inputChannelsAxis: 0)
    let Co = d.w1
    guard dy.rank == 4, dy.shape[0] == d.b, dy.shape[1] == Co else {
        throw LayerConfigurationError("output gradient \(dy.shape) does not match input \(input.shape) and weight \(weight.shape)")
    }
    let (OH, OW) = (dy.shape[2], dy.shape[3])
    let x = input.scalars, w = weight.scalars, g = dy.scalars
    var dx = [Double](repeating: 0, count: input.count)
    var dw = [Double](repeating: 0, count: weight.count)
    var db = [Double](repeating: 0, count: Co)
    for i in g.indices { db[(i / (OH * OW)) % Co] += Double(g[i]) }
    for n in 0..<d.b {
        for ci in 0..<d.c {
            for ih in 0..<d.h {
                for iw in 0..<d.w {
                    let xi = ((n * d.c + ci) * d.h + ih) * d.w + iw
                    for co in 0..<Co {
                        for ki in 0..<d.kh {
                            for kj in 0..<d.kw {
                                let oh = ih * stride.height - padding.height + ki
                                let ow = iw * stride.width - padding.width + kj
                                guard oh >= 0, oh < OH, ow >= 0, ow < OW else { continue }
                                let upstream = Double(g[((n * Co + co) * OH + oh) * OW + ow])
                                let wi = ((ci * Co + co) * d.kh + ki) * d.kw + kj
                                dx[xi] += upstream * Double(w[wi])
                                dw[wi] += upstream * Double(x[xi])
                            }
                        }
                    }
                }
            }
        }
    }
    return ConvolutionGradients(input: Tensor(shape: input.shape, scalars: dx.map(Float.init)),
                                weight: Tensor(shape: weight.shape, scalars: dw.map(Float.init)),
                                bias: Tensor(shape: [Co], scalars: db.map(Float.init)))
}
