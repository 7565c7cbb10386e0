import Foundation

// What generated digits look like next to real ones: a VAE's decoder draws Bernoulli means, so
// its images are smoother (blurred), their strokes greyer (lower contrast), and a decoder that
// cannot decide between ways of writing a digit draws something like their average. The
// functions below make real digits look like that, so that the judge can be measured on the
// kind of image it grades (`JudgeValidation`) and trained on it (`DigitClassifierTraining`).
// Images are (B, 1, H, W) grey levels in [0, 1].

/// One way of degrading real digits, with the name it has in tables and machine-readable lines.
public enum ImageDegradation: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The images as they are.
    case clean
    /// A Gaussian blur of standard deviation `sigma` pixels (`gaussianBlurred`).
    case gaussianBlur(sigma: Double)
    /// Each image replaced by the pixel mean of itself and `count − 1` other images of its class,
    /// drawn at random (`classAverages`): what a decoder's mean image of a class looks like.
    case classAverage(count: Int)
    /// Each pixel set to 1 where it reaches `threshold`, to 0 elsewhere.
    case binarized(threshold: Float)
    /// x ↦ offset + scale·x: fainter strokes (scale < 1) on a grey background (offset > 0).
    case contrast(scale: Float, offset: Float)
    /// Each image moved by up to `maxShift` pixels along each axis (a random whole-pixel shift).
    case shifted(maxShift: Int)

    /// "clean", "blur-1.0", "average-5", "binarized-0.5", "contrast-0.5x", "contrast-0.25+0.5x", "shift-2".
    public var name: String {
        switch self {
        case .clean: "clean"
        case .gaussianBlur(let sigma): String(format: "blur-%.1f", sigma)
        case .classAverage(let count): "average-\(count)"
        case .binarized(let threshold): "binarized-\(threshold)"
        case .contrast(let scale, let offset): offset == 0 ? "contrast-\(scale)x" : "contrast-\(offset)+\(scale)x"
        case .shifted(let maxShift): "shift-\(maxShift)"
        }
    }

    /// What it does, in words, for a table.
    public var description: String {
        switch self {
        case .clean: "the test digits as they are"
        case .gaussianBlur(let sigma): String(format: "Gaussian blur, σ = %g pixels", sigma)
        case .classAverage(let count): "pixel mean of \(count) digits of one class"
        case .binarized(let threshold): "binarized at \(threshold)"
        case .contrast(let scale, let offset): offset == 0 ? "contrast x ↦ \(scale)·x" : "contrast x ↦ \(offset) + \(scale)·x"
        case .shifted(let maxShift): "shifted by up to \(maxShift) pixels"
        }
    }

    /// The degradations generated digits show, for `JudgeValidation`: clean; blurred with σ = 0.5,
    /// 1 and 1.5; class averages of 2, 5 and 20 digits; binarized at 0.5; contrast halved, with
    /// and without a grey background; shifted by up to 2 pixels.
    public static let generatedLike: [ImageDegradation] = [
        .clean, .gaussianBlur(sigma: 0.5), .gaussianBlur(sigma: 1), .gaussianBlur(sigma: 1.5),
        .classAverage(count: 2), .classAverage(count: 5), .classAverage(count: 20),
        .binarized(threshold: 0.5), .contrast(scale: 0.5, offset: 0), .contrast(scale: 0.5, offset: 0.25),
        .shifted(maxShift: 2),
    ]

    /// `dataset` degraded this way; the labels stay. Random choices (which digits are averaged,
    /// the shifts) come from `seed` alone.
    /// - Throws: `DigitClassifierError.badInput` for an impossible setting (σ < 0, a count < 1,
    ///   a negative shift, non-finite numbers) or images that are not (B, 1, H, W).
    public func apply(to dataset: MNIST, seed: UInt64) throws -> MNIST {
        let images = dataset.images
        guard images.rank == 4, images.shape[1] == 1 else {
            throw DigitClassifierError.badInput("degradations expect (B, 1, H, W) images, got \(images.shape)")
        }
        switch self {
        case .clean:
            return dataset
        case .gaussianBlur(let sigma):
            return MNIST(images: try gaussianBlurred(images, sigma: sigma), labels: dataset.labels)
        case .classAverage(let count):
            var random = RandomSource(seed: seed)
            return try classAverages(of: dataset, count: count, using: &random)
        case .binarized(let threshold):
            guard threshold.isFinite else { throw DigitClassifierError.badInput("threshold \(threshold) is not finite") }
            return MNIST(images: images.map { $0 >= threshold ? 1 : 0 }, labels: dataset.labels)
        case .contrast(let scale, let offset):
            guard scale.isFinite, offset.isFinite else {
                throw DigitClassifierError.badInput("contrast needs finite numbers, got scale \(scale), offset \(offset)")
            }
            return MNIST(images: images.map { offset + scale * $0 }, labels: dataset.labels)
        case .shifted(let maxShift):
            guard maxShift >= 0 else { throw DigitClassifierError.badInput("maxShift must be ≥ 0, got \(maxShift)") }
            var random = RandomSource(seed: seed)
            return MNIST(images: try randomlyShifted(images, maxShift: maxShift, using: &random), labels: dataset.labels)
        }
    }
}

// MARK: Gaussian blur

/// The normalised 1-D Gaussian kernel of standard deviation `sigma` pixels: taps at offsets
/// −r…r with r = ⌈3σ⌉, weights exp(−d²/2σ²) divided by their sum (so they add up to 1). σ = 0
/// gives the single tap [1].
/// - Throws: `DigitClassifierError.badInput` unless 0 ≤ σ ≤ 100 and finite.
func gaussianKernel(sigma: Double) throws -> [Float] {
    var kernel: [Float] = []
    try gaussianKernel(sigma: sigma, into: &kernel)
    return kernel
}

/// `gaussianKernel(sigma:)` written into `kernel` (replacing its contents, reusing its storage).
func gaussianKernel(sigma: Double, into kernel: inout [Float]) throws {
    guard sigma.isFinite, sigma >= 0, sigma <= 100 else {
        throw DigitClassifierError.badInput("a blur's σ must lie in 0…100 pixels, got \(sigma)")
    }
    kernel.removeAll(keepingCapacity: true)
    guard sigma > 0 else { kernel.append(1); return }
    let radius = Int((3 * sigma).rounded(.up))
    var sum = 0.0
    for d in -radius...radius { sum += exp(-Double(d * d) / (2 * sigma * sigma)) }
    for d in -radius...radius { kernel.append(Float(exp(-Double(d * d) / (2 * sigma * sigma)) / sum)) }
}

/// Blurs one H×W plane in place with the separable kernel `kernel` (odd length, centred): rows
/// first, then columns, into `scratch` (at least H·W floats) and back. Outside the image counts
/// as 0 (MNIST's black background), so the blur of a bright pixel at least r pixels from every
/// edge keeps the plane's sum.
func blurPlane(_ plane: UnsafeMutablePointer<Float>, height: Int, width: Int, kernel: UnsafeBufferPointer<Float>,
               scratch: UnsafeMutablePointer<Float>) {
    let radius = kernel.count / 2
    // Rows: scratch[h][w] = Σ_d k[d]·plane[h][w + d].
    for h in 0..<height {
        let row = plane + h * width, out = scratch + h * width
        for w in 0..<width {
            var sum: Float = 0
            for d in max(-radius, -w)...min(radius, width - 1 - w) { sum += kernel[d + radius] * row[w + d] }
            out[w] = sum
        }
    }
    // Columns: plane[h][w] = Σ_d k[d]·scratch[h + d][w].
    for h in 0..<height {
        let out = plane + h * width
        for w in 0..<width { out[w] = 0 }
        for d in max(-radius, -h)...min(radius, height - 1 - h) {
            let weight = kernel[d + radius], row = scratch + (h + d) * width
            for w in 0..<width { out[w] += weight * row[w] }
        }
    }
}

/// Each image of `images` (B, C, H, W) blurred by a Gaussian of standard deviation `sigma`
/// pixels: the separable kernel of `gaussianKernel`, along rows then columns, with 0 outside the
/// image.
/// - Throws: `DigitClassifierError.badInput` for a bad σ or a tensor that is not rank 4.
/// - Complexity: 2·(2⌈3σ⌉ + 1) multiply-adds per pixel.
func gaussianBlurred(_ images: Tensor, sigma: Double) throws -> Tensor {
    guard images.rank == 4 else { throw DigitClassifierError.badInput("blur expects (B, C, H, W), got \(images.shape)") }
    let kernel = try gaussianKernel(sigma: sigma)
    guard kernel.count > 1 else { return images }
    let (height, width) = (images.shape[2], images.shape[3])
    var out = images
    var scratch = [Float](repeating: 0, count: height * width)
    kernel.withUnsafeBufferPointer { k in
        scratch.withUnsafeMutableBufferPointer { s in
            out.withUnsafeMutableBufferPointer { x in
                for plane in 0..<(images.shape[0] * images.shape[1]) {
                    blurPlane(x.baseAddress! + plane * height * width, height: height, width: width, kernel: k, scratch: s.baseAddress!)
                }
            }
        }
    }
    return out
}

// MARK: Class averages

/// The indices of each class's images: `result[c]` lists, in order, the n with labels[n] == c.
func indicesByClass(_ labels: [UInt8], classCount: Int) -> [[Int]] {
    var result = [[Int]](repeating: [], count: classCount)
    for (n, label) in labels.enumerated() where Int(label) < classCount { result[Int(label)].append(n) }
    return result
}

/// Turns the image in `target` (`pixels` floats) into the mean of itself and `count − 1` images
/// of `source` drawn from `pool` (indices of one class) without repetition, never `excluding`
/// (the image's own index, when it comes from `source`); fewer when the pool runs out. `chosen`
/// is scratch space, reused between calls. Returns how many images the mean is of.
@discardableResult
func averageWithClassMembers(_ target: UnsafeMutablePointer<Float>, of source: UnsafePointer<Float>, pixels: Int,
                             count: Int, pool: [Int], excluding: Int?, chosen: inout [Int],
                             using random: inout RandomSource) -> Int {
    chosen.removeAll(keepingCapacity: true)
    let available = pool.count - (excluding.map { pool.contains($0) ? 1 : 0 } ?? 0)
    let extra = min(count - 1, available)
    while chosen.count < extra {
        let candidate = pool[random.uniformInt(below: pool.count)]
        if candidate == excluding || chosen.contains(candidate) { continue }
        chosen.append(candidate)
        let image = source + candidate * pixels
        for p in 0..<pixels { target[p] += image[p] }
    }
    let scale = 1 / Float(extra + 1)
    for p in 0..<pixels { target[p] *= scale }
    return extra + 1
}

/// For every image of `dataset`, the pixel mean of it and `count − 1` other images of its class
/// drawn at random without repetition, labelled with that class (all of the class when it has
/// fewer than `count` images). `count` 1 gives the images back.
/// - Throws: `DigitClassifierError.badInput` when `count` < 1 or the images are not (B, C, H, W).
func classAverages(of dataset: MNIST, count: Int, using random: inout RandomSource) throws -> MNIST {
    guard count >= 1, dataset.images.rank == 4 else {
        throw DigitClassifierError.badInput("class averages need a count ≥ 1 and (B, C, H, W) images, got \(count) and \(dataset.images.shape)")
    }
    guard count > 1 else { return dataset }
    let pools = indicesByClass(dataset.labels, classCount: 256)
    let pixels = dataset.images.count / max(dataset.count, 1)
    var out = dataset.images
    var chosen: [Int] = []
    dataset.images.withUnsafeBufferPointer { source in
        out.withUnsafeMutableBufferPointer { target in
            for n in 0..<dataset.count {
                averageWithClassMembers(target.baseAddress! + n * pixels, of: source.baseAddress!, pixels: pixels, count: count,
                                        pool: pools[Int(dataset.labels[n])], excluding: n, chosen: &chosen, using: &random)
            }
        }
    }
    return MNIST(images: out, labels: dataset.labels)
}
