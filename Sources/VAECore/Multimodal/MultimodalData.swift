import Foundation

/// Paired data for a `MultimodalVAE`: N tuples, one sample of each modality, all of one class.
///
/// Each modality reads its samples from a labelled image set (`sources[m]`): an image modality
/// takes the image, a label modality the one-hot vector of the image's label. A pairing says which
/// row of each source forms tuple n (`rows[m][n]`). Image and label pair an MNIST digit with its
/// own label (one source, the identity pairing). A digit and a clothing item are paired by class
/// index: each digit with a random Fashion-MNIST item of the same class, and training keeps several
/// such pairings (`pairings`), the way MMVAE pairs each MNIST digit with several SVHN digits, so
/// that the model sees each digit beside several items and cannot learn one item per digit.
public struct MultimodalDataset: Sendable {
    /// What each modality is (its kind, its class count, whether training binarizes it).
    public let modalities: [ModalityConfiguration]
    /// The image set each modality reads from.
    public let sources: [MNIST]
    /// `pairings[p][m][n]`: the row of `sources[m]` in tuple n of pairing p. Every pairing has N
    /// tuples, and tuple n has the class `labels[n]` in all of them.
    public let pairings: [[[Int]]]
    /// The class of each tuple.
    public let labels: [Int]

    /// N, the number of tuples in a pairing.
    public var count: Int { labels.count }

    /// Checks that every pairing's rows exist and agree in class with `labels`.
    /// - Throws: `VAEConfigurationError` naming the first mismatch.
    public init(modalities: [ModalityConfiguration], sources: [MNIST], pairings: [[[Int]]], labels: [Int]) throws {
        guard modalities.count == sources.count, !pairings.isEmpty else {
            throw VAEConfigurationError("a paired data set needs one source per modality and at least one pairing")
        }
        for (m, modality) in modalities.enumerated() where !modality.isImage {
            guard sources[m].labels.allSatisfy({ Int($0) < modality.classCount }) else {
                throw VAEConfigurationError("modality \(modality.name) has \(modality.classCount) classes, but its source has labels beyond them")
            }
        }
        for (p, pairing) in pairings.enumerated() {
            guard pairing.count == modalities.count else {
                throw VAEConfigurationError("pairing \(p) has \(pairing.count) rows for \(modalities.count) modalities")
            }
            for (m, rows) in pairing.enumerated() {
                guard rows.count == labels.count else {
                    throw VAEConfigurationError("pairing \(p), modality \(modalities[m].name): \(rows.count) rows for \(labels.count) tuples")
                }
                for (n, row) in rows.enumerated() {
                    guard sources[m].labels.indices.contains(row), Int(sources[m].labels[row]) == labels[n] else {
                        throw VAEConfigurationError("pairing \(p), modality \(modalities[m].name): tuple \(n) takes row \(row), "
                                                    + "which is not a sample of class \(labels[n])")
                    }
                }
            }
        }
        self.modalities = modalities
        self.sources = sources
        self.pairings = pairings
        self.labels = labels
    }

    /// Each digit of `mnist` with its label (MVAE's image + label experiment): one pairing.
    public static func imageLabel(_ configuration: MultimodalConfiguration, mnist: MNIST) throws -> MultimodalDataset {
        let rows = Array(0..<mnist.count)
        return try MultimodalDataset(modalities: configuration.modalities, sources: [mnist, mnist],
                                     pairings: [[rows, rows]], labels: mnist.labels.map(Int.init))
    }

    /// Each digit of `mnist` with `pairings` random items of `fashion` of the same class index
    /// (clothing class k for digit k), one per pairing, drawn with `RandomSource(seed: seed)`.
    /// - Throws: when a class of the digits has no clothing item.
    public static func mnistFashion(_ configuration: MultimodalConfiguration, mnist: MNIST, fashion: MNIST,
                                    pairings: Int, seed: UInt64) throws -> MultimodalDataset {
        guard pairings >= 1 else { throw VAEConfigurationError("at least one pairing, not \(pairings)") }
        var byClass = [Int: [Int]]()
        for (row, label) in fashion.labels.enumerated() { byClass[Int(label), default: []].append(row) }
        var random = RandomSource(seed: seed)
        let digits = Array(0..<mnist.count)
        let tables = try (0..<pairings).map { _ in
            let partners = try mnist.labels.map { label -> Int in
                guard let items = byClass[Int(label)], !items.isEmpty else {
                    throw VAEConfigurationError("no clothing item of class \(label) to pair with a digit \(label)")
                }
                return items[random.uniformInt(below: items.count)]
            }
            return [digits, partners]
        }
        return try MultimodalDataset(modalities: configuration.modalities, sources: [mnist, fashion],
                                     pairings: tables, labels: mnist.labels.map(Int.init))
    }

    /// The first `n` tuples of every pairing.
    public func prefix(_ n: Int) throws -> MultimodalDataset {
        try MultimodalDataset(modalities: modalities, sources: sources,
                              pairings: pairings.map { $0.map { Array($0.prefix(n)) } }, labels: Array(labels.prefix(n)))
    }

    /// The samples of tuples `tuples` of pairing `pairing`, as stored, one tensor per modality:
    /// images (B, 1, 28, 28), labels one-hot (B, K).
    public func batch(_ tuples: [Int], pairing: Int = 0) -> [Tensor] {
        var unused = RandomSource(seed: 0)
        return gather(tuples, pairing: pairing, binarizing: false, using: &unused)
    }

    /// The same, with the pixels of each binarized image modality drawn afresh from `random` as
    /// coin flips (dynamic binarization, in tuple order, then pixel order): what training sees.
    func trainingBatch(_ tuples: [Int], pairing: Int, using random: inout RandomSource) -> [Tensor] {
        gather(tuples, pairing: pairing, binarizing: true, using: &random)
    }

    private func gather(_ tuples: [Int], pairing: Int, binarizing: Bool, using random: inout RandomSource) -> [Tensor] {
        let b = tuples.count
        return modalities.enumerated().map { m, modality in
            let source = sources[m], rows = tuples.map { pairings[pairing][m][$0] }
            switch modality.kind {
            case .label:
                var oneHot = Tensor(shape: [b, modality.classCount])
                for (i, row) in rows.enumerated() { oneHot.scalars[i * modality.classCount + Int(source.labels[row])] = 1 }
                return oneHot
            case .image:
                let pixels = source.pixelsPerImage
                var images = Tensor(shape: [b] + Array(source.images.shape.dropFirst()))
                source.images.withUnsafeBufferPointer { all in
                    images.withUnsafeMutableBufferPointer { out in
                        for (i, row) in rows.enumerated() {
                            let from = all.baseAddress! + row * pixels, to = out.baseAddress! + i * pixels
                            if binarizing && modality.binarized {
                                sampleBernoulli(from, into: to, count: pixels, using: &random)
                            } else {
                                to.update(from: from, count: pixels)
                            }
                        }
                    }
                }
                return images
            }
        }
    }

    /// What decides the training data: the sources' contents and the pairings, hashed (SHA-256).
    public var contentDigest: String {
        var hash = SHA256()
        for source in sources { hash.update(Array(source.contentDigest.utf8)) }
        for pairing in pairings {
            for rows in pairing { rows.map { Int64($0) }.withUnsafeBytes { hash.update($0) } }
        }
        return hash.finalize().hex
    }
}
