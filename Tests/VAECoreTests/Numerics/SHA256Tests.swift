import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// SHA-256 against the FIPS 180-4 examples (NIST's "SHA256.pdf" and the SHA-2 test vectors) and
/// against Python's `hashlib.sha256` on lengths around the padding boundaries.
@Suite struct SHA256Tests {
    private func hex(_ text: String) -> String { SHA256.hash(Array(text.utf8)).hex }

    @Test func abc() {
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func emptyMessage() {
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// The 448-bit message: padding no longer fits its block, so a second block is needed.
    @Test func twoBlockMessage() {
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func message896Bits() {
        #expect(hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test func oneMillionAs() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hash(message).hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Bytes 0, 1, 2, … (mod 256) of lengths on each side of the 56- and 64-byte boundaries,
    /// hashed by Python's hashlib.
    @Test(arguments: [
        (55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"),
        (56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"),
        (63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"),
        (64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"),
        (65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"),
        (119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6"),
        (120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c"),
        (128, "471fb943aa23c511f6f72f8d1652d9c880cfa392ad80503120547703e56a2be5"),
        (1000, "a8af099bf2e878609558dbf69d8f88f4a31040a8cf84b549a0cfa912f12ffc3f"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        let message = (0..<length).map { UInt8(truncatingIfNeeded: $0) }
        #expect(SHA256.hash(message).hex == expected)
    }

    /// Feeding the message in pieces of random sizes gives the same digest as all at once.
    @Test func incrementalEqualsOneShot() {
        var random = RandomSource(seed: 7)
        let message = (0..<5000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let whole = SHA256.hash(message)
        for _ in 0..<20 {
            var hasher = SHA256()
            var start = 0
            while start < message.count {
                let end = min(message.count, start + random.uniformInt(below: 150))
                hasher.update(Array(message[start..<end]))
                start = end
            }
            #expect(hasher.finalize() == whole)
        }
    }

    /// The processor's SHA instructions (`CSHA256`, where it has them) and the Swift function give
    /// the same digest on every length from 0 to 300 bytes and on a megabyte of random bytes, fed
    /// in pieces; the vectors above ran on whichever this machine uses.
    @Test func theHardwareAndTheSwiftFunctionAgree() {
        var random = RandomSource(seed: 11)
        let message = (0..<1_000_003).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        func digest(_ bytes: ArraySlice<UInt8>, hardware: Bool, piece: Int) -> SHA256.Digest {
            var hasher = SHA256()
            hasher.usesHardware = hardware
            var start = bytes.startIndex
            while start < bytes.endIndex {
                let end = min(bytes.endIndex, start + piece)
                hasher.update(Array(bytes[start..<end]))
                start = end
            }
            return hasher.finalize()
        }
        for length in 0...300 {
            let bytes = message[0..<length]
            #expect(digest(bytes, hardware: true, piece: 77) == digest(bytes, hardware: false, piece: 300), "length \(length)")
        }
        #expect(digest(message[...], hardware: true, piece: 65_536) == digest(message[...], hardware: false, piece: 4096))
        #expect(SHA256.hardwareAvailable || !SHA256().usesHardware, "without the instructions, the Swift function runs")
    }

}
