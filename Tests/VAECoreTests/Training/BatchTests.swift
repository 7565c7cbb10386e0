import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The shuffled mini-batch iterator and dynamic binarization, on small synthetic data sets.
@Suite struct BatchTests {
    /// `count` images of 4×5 random grey pixels (some exactly 0 and 1), labels i mod 10.
    static func dataset(count: Int, seed: UInt64 = 11) -> MNIST {
        var random = RandomSource(seed: seed)
        var images = Tensor.uniform([count, 1, 4, 5], using: &random)
        images.withUnsafeMutableBufferPointer { p in
            for i in stride(from: 0, to: p.count, by: 7) { p[i] = 0 }
            for i in stride(from: 3, to: p.count, by: 11) { p[i] = 1 }
        }
        return MNIST(images: images, labels: (0..<count).map { UInt8($0 % 10) })
    }

    /// All batches of the next epoch (up to and including the `nil` that ends it).
    static func epoch(_ batches: inout BatchIterator) -> [Batch] {
        var out: [Batch] = []
        while let batch = batches.next() { out.append(batch) }
        return out
    }

    @Test func sameSeedSameBatches() {
        let data = Self.dataset(count: 37)
        for binarize in [false, true] {
            var a = BatchIterator(dataset: data, batchSize: 8, seed: 5, binarize: binarize)
            var b = BatchIterator(dataset: data, batchSize: 8, seed: 5, binarize: binarize)
            for _ in 0..<3 {
                let ea = Self.epoch(&a), eb = Self.epoch(&b)
                #expect(ea.map(\.images) == eb.map(\.images))
                #expect(ea.map(\.labels) == eb.map(\.labels))
                #expect(ea.map(\.indices) == eb.map(\.indices))
            }
        }
        var c = BatchIterator(dataset: data, batchSize: 8, seed: 6)
        var a = BatchIterator(dataset: data, batchSize: 8, seed: 5)
        #expect(Self.epoch(&a).map(\.indices) != Self.epoch(&c).map(\.indices))
    }

    @Test func eachEpochIsAFreshPermutation() {
        let data = Self.dataset(count: 50)
        var batches = BatchIterator(dataset: data, batchSize: 16, seed: 1)
        var orders: [[Int]] = []
        for epoch in 0..<4 {
            #expect(batches.epoch == epoch && batches.position == 0)
            let order = Self.epoch(&batches).flatMap(\.indices)
            #expect(order.sorted() == Array(0..<50))
            orders.append(order)
        }
        #expect(Set(orders).count == 4, "every epoch should have its own order")
    }

    @Test func lastPartialBatchKeptOrDropped() {
        let data = Self.dataset(count: 10)
        var keep = BatchIterator(dataset: data, batchSize: 4, seed: 2)
        var drop = BatchIterator(dataset: data, batchSize: 4, seed: 2, dropLast: true)
        #expect(keep.batchesPerEpoch == 3 && drop.batchesPerEpoch == 2)
        for _ in 0..<2 {
            #expect(Self.epoch(&keep).map(\.count) == [4, 4, 2])
            #expect(Self.epoch(&drop).map(\.count) == [4, 4])
        }
        // Dropping changes nothing about the order: the same permutation, one batch fewer.
        var keep2 = BatchIterator(dataset: data, batchSize: 4, seed: 2)
        var drop2 = BatchIterator(dataset: data, batchSize: 4, seed: 2, dropLast: true)
        #expect(Array(Self.epoch(&keep2).flatMap(\.indices).prefix(8)) == Self.epoch(&drop2).flatMap(\.indices))
        // A batch larger than the data set.
        var big = BatchIterator(dataset: data, batchSize: 64, seed: 2)
        #expect(Self.epoch(&big).map(\.count) == [10])
        var none = BatchIterator(dataset: data, batchSize: 64, seed: 2, dropLast: true)
        #expect(Self.epoch(&none).isEmpty && none.epoch == 1)
    }

    @Test func batchesHoldTheRightRows() {
        let data = Self.dataset(count: 23)
        var batches = BatchIterator(dataset: data, batchSize: 5, seed: 9)
        while let batch = batches.next() {
            #expect(batch.images.shape == [batch.count, 1, 4, 5])
            for (row, index) in batch.indices.enumerated() {
                #expect(batch.images.slice(row) == data.images.slice(index))
                #expect(batch.labels[row] == data.labels[index])
            }
        }
    }

    /// Binarization draws from its own generator: the order of batches is the same with it.
    @Test func binarizationLeavesTheOrderAlone() {
        let data = Self.dataset(count: 30)
        var grey = BatchIterator(dataset: data, batchSize: 7, seed: 4)
        var binary = BatchIterator(dataset: data, batchSize: 7, seed: 4, binarize: true)
        for _ in 0..<2 {
            #expect(Self.epoch(&grey).map(\.indices) == Self.epoch(&binary).map(\.indices))
        }
    }

    /// Only 0 and 1; 0 and 1 pixels stay; the mean matches the grey mean within 5σ; and the same
    /// image served twice is drawn afresh.
    @Test func dynamicBinarization() {
        let data = Self.dataset(count: 400)
        var batches = BatchIterator(dataset: data, batchSize: 64, seed: 8, binarize: true)
        var first: [Int: Tensor] = [:]
        var sumBits = 0.0, sumGrey = 0.0, variance = 0.0, pixels = 0.0
        var redrawn = 0
        for _ in 0..<2 {
            while let batch = batches.next() {
                #expect(batch.images.scalars.allSatisfy { $0 == 0 || $0 == 1 })
                for (row, index) in batch.indices.enumerated() {
                    let bits = batch.images.slice(row), grey = data.images.slice(index)
                    for (x, b) in zip(grey.scalars, bits.scalars) {
                        if (x == 0 || x == 1) && b != x { Issue.record("pixel \(x) served as \(b)") }
                        sumBits += Double(b); sumGrey += Double(x); variance += Double(x) * (1 - Double(x)); pixels += 1
                    }
                    if let earlier = first[index] { if earlier != bits { redrawn += 1 } } else { first[index] = bits }
                }
            }
        }
        let sigma = variance.squareRoot() / pixels
        #expect(abs(sumBits - sumGrey) / pixels < 5 * sigma, "binary mean \(sumBits / pixels), grey \(sumGrey / pixels)")
        // 20 pixels of which ~15 are grey: the chance that a redraw repeats is tiny.
        #expect(redrawn >= 395, "only \(redrawn) of 400 images were drawn afresh in the second epoch")
    }

    /// Save mid-epoch (through JSON), restore, and the rest of the stream is bit-identical,
    /// across epoch boundaries; also from an epoch boundary.
    @Test func stateRestoresBitIdentically() throws {
        let data = Self.dataset(count: 45)
        for stopAfter in [0, 2, 5, 6, 7] {   // 5 batches + nil per epoch: 6 is right after the nil
            var original = BatchIterator(dataset: data, batchSize: 9, seed: 21, dropLast: true, binarize: true)
            for _ in 0..<stopAfter { _ = original.next() }
            let saved = try JSONEncoder().encode(original.state)
            var restored = try BatchIterator(dataset: data, state: JSONDecoder().decode(BatchIterator.State.self, from: saved))
            #expect(restored.state == original.state)
            for _ in 0..<20 {
                let a = original.next(), b = restored.next()
                #expect(a?.images == b?.images && a?.labels == b?.labels && a?.indices == b?.indices)
            }
            #expect(restored.state == original.state)
        }
    }

    @Test func badStatesAreRejected() {
        let data = Self.dataset(count: 12)
        let good = BatchIterator(dataset: data, batchSize: 4, seed: 1).state
        var wrongCount = good; wrongCount.datasetCount = 13
        var notPermutation = good; notPermutation.permutation[0] = notPermutation.permutation[1]
        var badPosition = good; badPosition.position = 99
        var badRandom = good; badRandom.noise.words = [0, 0, 0, 0]
        for state in [wrongCount, notPermutation, badPosition, badRandom] {
            #expect(throws: BatchIterator.StateError.self) { try BatchIterator(dataset: data, state: state) }
        }
        #expect(throws: BatchIterator.StateError.self) {
            try BatchIterator(dataset: Self.dataset(count: 11), state: good)
        }
    }
}
