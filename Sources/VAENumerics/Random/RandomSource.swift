import Foundation

/// The one source of randomness in the course: xoshiro256** (Blackman and Vigna, 2018), seeded
/// through SplitMix64.
///
/// Why our own generator: `Float.random(in:)` with the system generator is slow (~590 ns a draw
/// here) and cannot be seeded, so no experiment could be repeated. xoshiro256** is small (four
/// 64-bit words of state), fast (a few ns a draw), passes BigCrush, and its whole state can be
/// written to a checkpoint and read back, so a resumed run draws exactly the numbers it would have.
///
/// SplitMix64 expands the user's one 64-bit seed into the four state words: consecutive seeds
/// then give unrelated streams, and the state is never all zero (which xoshiro forbids).
///
/// Every draw is defined here, bit for bit, rather than through the standard library's
/// `shuffle(using:)` or `random(in:using:)`, whose algorithms may change between Swift releases:
/// the same seed gives the same numbers on every run, machine and compiler.
public struct RandomSource: RandomNumberGenerator, Sendable {
    /// Everything needed to continue the stream exactly: the generator's four words, and the
    /// second Gaussian of the last Box–Muller pair when it has not been used yet.
    public struct State: Codable, Equatable, Sendable {
        public var words: [UInt64]
        var spareGaussian: Float?
    }

    private var s0, s1, s2, s3: UInt64
    private var spareGaussian: Float?

    /// A generator whose stream is a pure function of `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = nextSplitMix(); s1 = nextSplitMix(); s2 = nextSplitMix(); s3 = nextSplitMix()
        spareGaussian = nil
    }

    /// A generator that continues from a saved state.
    public init(state: State) throws {
        guard state.words.count == 4, state.words.contains(where: { $0 != 0 }) else {
            throw RandomStateError(wordCount: state.words.count)
        }
        s0 = state.words[0]; s1 = state.words[1]; s2 = state.words[2]; s3 = state.words[3]
        spareGaussian = state.spareGaussian
    }

    /// The state to save, so that `RandomSource(state:)` continues the same stream.
    public var state: State { State(words: [s0, s1, s2, s3], spareGaussian: spareGaussian) }

    /// The next 64 random bits (xoshiro256**).
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 { nextWord() }

    @usableFromInline @inline(__always)
    mutating func nextWord() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @usableFromInline @inline(__always)
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    // MARK: Uniform

    /// A uniform `Float` in [0, 1): the top 24 bits, so every value is exactly representable
    /// and each of the 2²⁴ values is equally likely.
    @inlinable @inline(__always)
    public mutating func uniform() -> Float {
        Float(nextWord() >> 40) * 0x1p-24
    }

    /// A uniform `Double` in [0, 1), from the top 53 bits.
    @inlinable @inline(__always)
    public mutating func uniformDouble() -> Double {
        Double(nextWord() >> 11) * 0x1p-53
    }

    /// A uniform integer in 0..<bound, without modulo bias (Lemire's multiply-and-reject).
    public mutating func uniformInt(below bound: Int) -> Int {
        precondition(bound > 0, "uniformInt(below:) needs a positive bound, got \(bound)")
        let range = UInt64(bound)
        var product = nextWord().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = nextWord().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    // MARK: Gaussian

    /// A draw from N(0, 1) by the Box–Muller transform.
    ///
    /// Two independent uniforms u₁ ∈ (0, 1] and u₂ ∈ [0, 1) give a radius r = √(−2 ln u₁) and an
    /// angle θ = 2πu₂; then r cos θ and r sin θ are two independent standard normals (the 2-D
    /// Gaussian is rotation-invariant, and r² = −2 ln u₁ is exponentially distributed, as the
    /// squared radius of a 2-D standard normal is). The second value is kept for the next call.
    /// u₁ is taken as 1 − u so that it is never 0 and the logarithm stays finite.
    public mutating func gaussian() -> Float {
        if let spare = spareGaussian {
            spareGaussian = nil
            return spare
        }
        let u1 = 1 - uniformDouble()
        let u2 = uniformDouble()
        let radius = (-2 * log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareGaussian = Float(radius * sin(angle))
        return Float(radius * cos(angle))
    }

    /// A draw from N(mean, std²).
    @inlinable
    public mutating func gaussian(mean: Float, standardDeviation: Float) -> Float {
        mean + standardDeviation * gaussian()
    }

    /// A Bernoulli draw: true with probability `p`.
    @inlinable @inline(__always)
    public mutating func bernoulli(_ p: Float) -> Bool {
        uniform() < p
    }

    // MARK: Bulk draws

    /// Fills `buffer` with independent N(mean, std²) draws.
    public mutating func fillGaussian(_ buffer: UnsafeMutableBufferPointer<Float>, mean: Float = 0, standardDeviation: Float = 1) {
        for i in buffer.indices { buffer[i] = mean + standardDeviation * gaussian() }
    }

    /// Fills `buffer` with independent uniform draws from [lower, upper).
    mutating func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>, lower: Float = 0, upper: Float = 1) {
        let width = upper - lower
        for i in buffer.indices { buffer[i] = lower + width * uniform() }
    }

    /// A uniformly random permutation of 0..<count (Fisher–Yates, defined here bit for bit).
    public mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        shuffle(&order)
        return order
    }

    /// Shuffles `array` in place, uniformly (Fisher–Yates).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = uniformInt(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }
}

/// A saved random state that cannot be a xoshiro256** state.
public struct RandomStateError: Error, CustomStringConvertible {
    let wordCount: Int
    public var description: String {
        "invalid random state: xoshiro256** needs 4 state words, not all zero (got \(wordCount))"
    }
}
