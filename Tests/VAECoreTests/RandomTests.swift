import Testing
@testable import VAECore

@Suite struct RandomSourceTests {
    @Test func sameSeedSameStream() {
        var a = RandomSource(seed: 42), b = RandomSource(seed: 42)
        for _ in 0..<1000 { #expect(a.next() == b.next()) }
        var c = RandomSource(seed: 43)
        var a2 = RandomSource(seed: 42)
        #expect((0..<8).map { _ in a2.next() } != (0..<8).map { _ in c.next() })
    }
}
