import Foundation

// The images a model of digits has never seen, made from the data or from nothing, and the
// training sets of chapter 10's other models: a set without one digit, and a corrupted copy for
// the background model. Every one is a grey set like MNIST's (pixels in [0, 1]), so that it is
// binarized for a Bernoulli model exactly as the test set is (`Likelihood.evaluationSet`).
// Images made from nothing carry the label 0.

extension MNIST {
    /// The images whose label satisfies `keep`, in their order: `train.selecting { $0 != 1 }` is the
    /// training set without the ones (leave-one-digit-out).
    public func selecting(labels keep: (UInt8) -> Bool) -> MNIST {
        let size = pixelsPerImage
        let kept = labels.indices.filter { keep(labels[$0]) }
        var scalars = [Float]()
        scalars.reserveCapacity(kept.count * size)
        images.withUnsafeBufferPointer { p in
            for i in kept { scalars += UnsafeBufferPointer(rebasing: p[(i * size)..<((i + 1) * size)]) }
        }
        return MNIST(images: Tensor(shape: [kept.count, 1, height, width], scalars: scalars), labels: kept.map { labels[$0] })
    }

    /// Each pixel x replaced by 1 − x: white digits on black become black digits on white.
    public func inverted() -> MNIST {
        MNIST(images: images.map { 1 - $0 }, labels: labels)
    }

    /// Each image mirrored left to right: pixel (r, c) comes from (r, W − 1 − c).
    public func mirrored() -> MNIST {
        remapped { r, c, _, w in (r, w - 1 - c) }
    }

    /// Each image turned a quarter turn clockwise: pixel (r, c) comes from (H − 1 − c, r).
    /// - Precondition: square images (both data sets are 28×28).
    public func rotatedQuarterTurn() -> MNIST {
        precondition(height == width, "a quarter turn needs square images, not \(height)×\(width)")
        return remapped { r, c, h, _ in (h - 1 - c, r) }
    }

    /// out(r, c) = in(source(r, c, H, W)) for every image.
    private func remapped(_ source: (Int, Int, Int, Int) -> (Int, Int)) -> MNIST {
        let (h, w) = (height, width)
        var out = Tensor(shape: images.shape)
        images.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { q in
                for n in 0..<count {
                    for r in 0..<h {
                        for c in 0..<w {
                            let (sr, sc) = source(r, c, h, w)
                            q[(n * h + r) * w + c] = p[(n * h + sr) * w + sc]
                        }
                    }
                }
            }
        }
        return MNIST(images: out, labels: labels)
    }

    /// A corrupted copy for a background model (Ren et al. 2019): each pixel, with probability
    /// `rate`, replaced by 1 − x (a binary pixel flips; a grey one is mirrored about ½), one
    /// uniform draw per pixel from `RandomSource(seed: seed)` in image order, then pixel order.
    /// The corruption is drawn once, so the copy is a fixed training set with its own SHA-256.
    /// - Throws: `AnomalyError` for a rate outside [0, 1].
    public func flippingPixels(rate: Double, seed: UInt64) throws -> MNIST {
        guard rate.isFinite, (0...1).contains(rate) else { throw AnomalyError("the flip rate must lie in [0, 1], not \(rate)") }
        var random = RandomSource(seed: seed)
        var out = images
        out.withUnsafeMutableBufferPointer { q in
            for i in 0..<q.count where random.uniform() < Float(rate) { q[i] = 1 - q[i] }
        }
        return MNIST(images: out, labels: labels)
    }

    /// `count` images of independent uniform grey pixels, u ~ U(0, 1) each (binarized: fair coin
    /// flips), from `RandomSource(seed: seed)`.
    public static func uniformNoise(count: Int, side: Int = 28, seed: UInt64) -> MNIST {
        var random = RandomSource(seed: seed)
        var images = Tensor(shape: [count, 1, side, side])
        images.withUnsafeMutableBufferPointer { q in for i in 0..<q.count { q[i] = random.uniform() } }
        return MNIST(images: images, labels: [UInt8](repeating: 0, count: count))
    }

    /// `count` images of one grey level each, c ~ U(0, 1) per image from `RandomSource(seed: seed)`
    /// (binarized: noise of density c, sparse for small c).
    public static func constantImages(count: Int, side: Int = 28, seed: UInt64) -> MNIST {
        var random = RandomSource(seed: seed)
        var images = Tensor(shape: [count, 1, side, side])
        let size = side * side
        images.withUnsafeMutableBufferPointer { q in
            for n in 0..<count {
                let level = random.uniform()
                for j in 0..<size { q[n * size + j] = level }
            }
        }
        return MNIST(images: images, labels: [UInt8](repeating: 0, count: count))
    }

    /// `count` all-black images: nothing written at all.
    public static func blankImages(count: Int, side: Int = 28) -> MNIST {
        MNIST(images: Tensor(shape: [count, 1, side, side]), labels: [UInt8](repeating: 0, count: count))
    }
}
