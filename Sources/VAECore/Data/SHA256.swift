#if canImport(CSHA256)
import CSHA256
#endif

/// SHA-256 (FIPS 180-4), written out so that the course depends on no crypto library.
///
/// We use it to check that a data file decompressed to exactly the bytes it should: a flipped
/// bit in a downloaded MNIST file would otherwise go unnoticed and quietly change every result.
///
/// The algorithm: pad the message to a multiple of 64 bytes (a 1 bit, zeros, then the message
/// length in bits as a 64-bit big-endian number), then run each 64-byte block through the
/// compression function, which mixes it into eight 32-bit words of state over 64 rounds.
/// The final state, written big-endian, is the 32-byte digest.
///
/// Use it all at once, `SHA256.hash(bytes)`, or incrementally:
///
///     var hasher = SHA256()
///     hasher.update(part1); hasher.update(part2)
///     let digest = hasher.finalize()
///
/// The compression function runs on the processor's SHA instructions where it has them (x86-64
/// with SHA-NI: `CSHA256`, about five times faster), else in Swift (`compressInSwift`, the
/// reference the fast one is tested against). Every run's fingerprint hashes its training set, so
/// a chapter that reuses twenty runs hashes twenty data sets: the speed shows.
///
/// - Complexity: O(n) in the message length; about 64 rounds of ~20 integer operations per
///   64-byte block.
public struct SHA256: Sendable {
    /// A finished hash: 32 bytes, shown as 64 lowercase hex digits.
    public struct Digest: Equatable, Hashable, Sendable, CustomStringConvertible {
        /// The 32 bytes of the digest.
        public let bytes: [UInt8]
        /// The digest as 64 lowercase hex digits, the form `sha256sum` prints.
        public var hex: String {
            let digits: [Character] = Array("0123456789abcdef")
            var s = ""
            s.reserveCapacity(64)
            for b in bytes { s.append(digits[Int(b >> 4)]); s.append(digits[Int(b & 15)]) }
            return s
        }
        public var description: String { hex }
    }

    /// The initial state: the first 32 bits of the fractional parts of the square roots of the
    /// first 8 primes (FIPS 180-4, 5.3.3).
    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    /// Bytes of an incomplete block, waiting for more input.
    private var pending: [UInt8] = []
    /// The message length so far, in bytes.
    private var length: UInt64 = 0
    /// Whether blocks go through the processor's SHA instructions (`CSHA256`): where it has them,
    /// unless a test asks for the Swift function.
    var usesHardware = SHA256.hardwareAvailable

    /// Whether this processor has the SHA instructions `CSHA256` uses.
    static let hardwareAvailable: Bool = {
        #if canImport(CSHA256)
        return csha256_available() != 0
        #else
        return false
        #endif
    }()

    /// A hasher that has seen no bytes yet.
    public init() { pending.reserveCapacity(64) }

    /// The digest of `bytes`.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> Digest {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var rest = bytes
        // Complete a pending partial block first.
        if !pending.isEmpty {
            let take = min(64 - pending.count, rest.count)
            pending.append(contentsOf: rest.prefix(take))
            rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(take))
            if pending.count < 64 { return }
            pending.withUnsafeBytes { compress(blocks: $0) }
            pending.removeAll(keepingCapacity: true)
        }
        // Whole blocks straight from the caller's memory, then keep the tail.
        let whole = rest.count & ~63
        if whole > 0 { compress(blocks: UnsafeRawBufferPointer(rebasing: rest.prefix(whole))) }
        pending.append(contentsOf: rest.dropFirst(whole))
    }

    /// Pads the message, processes the last block(s) and returns the digest.
    public consuming func finalize() -> Digest {
        let bitLength = length &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBytes { compress(blocks: $0) }

        var out = [UInt8]()
        out.reserveCapacity(32)
        for word in [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7] {
            out.append(UInt8(truncatingIfNeeded: word >> 24)); out.append(UInt8(truncatingIfNeeded: word >> 16))
            out.append(UInt8(truncatingIfNeeded: word >> 8)); out.append(UInt8(truncatingIfNeeded: word))
        }
        return Digest(bytes: out)
    }

    /// The round constants: the first 32 bits of the fractional parts of the cube roots of the
    /// first 64 primes (FIPS 180-4, 4.2.2).
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// The compression function over `blocks.count / 64` consecutive 64-byte blocks.
    private mutating func compress(blocks: UnsafeRawBufferPointer) {
        precondition(blocks.count % 64 == 0)
        #if canImport(CSHA256)
        if usesHardware, blocks.count > 0 {
            withUnsafeMutablePointer(to: &h) { state in
                state.withMemoryRebound(to: UInt32.self, capacity: 8) { words in
                    SHA256.k.withUnsafeBufferPointer { k in
                        csha256_compress(words, blocks.baseAddress!.assumingMemoryBound(to: UInt8.self), blocks.count / 64, k.baseAddress!)
                    }
                }
            }
            return
        }
        #endif
        compressInSwift(blocks: blocks)
    }

    /// The compression function written out in Swift: the reference, and what runs where the
    /// processor has no SHA instructions. The message schedule W lives in a stack buffer that all
    /// blocks reuse.
    private mutating func compressInSwift(blocks: UnsafeRawBufferPointer) {
        var (h0, h1, h2, h3, h4, h5, h6, h7) = h
        SHA256.k.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                var offset = 0
                while offset < blocks.count {
                    // W[0..<16]: the block as big-endian words; W[16..<64]: the schedule.
                    for t in 0..<16 {
                        w[t] = UInt32(bigEndian: blocks.loadUnaligned(fromByteOffset: offset + 4 * t, as: UInt32.self))
                    }
                    for t in 16..<64 {
                        let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                        let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                        w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                    }
                    var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, hh = h7
                    for t in 0..<64 {
                        let sigma1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                        let choose = (e & f) ^ (~e & g)
                        let t1 = hh &+ sigma1 &+ choose &+ k[t] &+ w[t]
                        let sigma0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                        let majority = (a & b) ^ (a & c) ^ (b & c)
                        let t2 = sigma0 &+ majority
                        hh = g; g = f; f = e; e = d &+ t1
                        d = c; c = b; b = a; a = t1 &+ t2
                    }
                    h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d; h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= hh
                    offset += 64
                }
            }
        }
        h = (h0, h1, h2, h3, h4, h5, h6, h7)
    }
}

/// Rotates the 32 bits of `x` right by `n` (0 < n < 32).
@inline(__always)
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }
