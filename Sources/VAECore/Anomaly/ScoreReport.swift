import Foundation

/// One set of images as a model scored it: its name, the images' labels, the model's
/// `ImageScores`, a background model's when there is one, and the entropy estimate Ĥ of the
/// typicality test when the training images were scored too.
public struct ScoredSet: Sendable {
    public var name: String
    public var labels: [UInt8]
    public var scores: ImageScores
    public var background: ImageScores?
    /// Ĥ, the mean −log p over training images (nats); nil leaves the typicality score out.
    public var entropy: Double?

    public init(name: String, labels: [UInt8], scores: ImageScores, background: ImageScores? = nil, entropy: Double? = nil) {
        self.name = name
        self.labels = labels
        self.scores = scores
        self.background = background
        self.entropy = entropy
    }

    /// The score of each image for every named score that could be computed, in
    /// `AnomalyScore.allCases` order, then the per-image typicality |−log p − Ĥ| when Ĥ is known.
    /// - Throws: `AnomalyError` when the lists do not match the labels.
    public func columns() throws -> [(name: String, values: [Double])] {
        let n = labels.count
        var columns: [(String, [Double])] = []
        for score in AnomalyScore.allCases {
            if let values = try score.values(scores, background: background) { columns.append((score.rawValue, values)) }
        }
        if let entropy {
            columns.append(("typicality", try Typicality.statistics(negativeLogLikelihoods: scores.bestNegativeLogLikelihood,
                                                                    entropy: entropy, batchSize: 1)))
        }
        if let bad = columns.first(where: { $0.1.count != n }) {
            throw AnomalyError("set \(name): \(n) images but \(bad.1.count) values of \(bad.0)")
        }
        return columns
    }
}

/// The per-image score table and the detection summary of `vae score`.
public enum ScoreReport {
    /// How every score table starts: a file that does not is not one, and is never replaced.
    public static let csvSignature = "set,index,label,"

    /// A CSV table, one row per image of each set: `set,index,label,` then one column per score
    /// of `ScoredSet.columns()` and `deflate-bits` (L(x)); values printed with up to 17
    /// significant digits, so that they read back as the same Doubles. All sets must have the
    /// same columns.
    /// - Throws: `AnomalyError` for no sets, sets with different columns, or a set name that
    ///   needs quoting (a comma, a quote or a line break).
    public static func csv(_ sets: [ScoredSet]) throws -> String {
        guard !sets.isEmpty else { throw AnomalyError("there is no set of scores to write") }
        let tables = try sets.map { try $0.columns() }
        let names = tables[0].map(\.name)
        if let other = tables.firstIndex(where: { $0.map(\.name) != names }) {
            throw AnomalyError("set \(sets[other].name) has the scores \(tables[other].map(\.name)), set \(sets[0].name) has \(names)")
        }
        if let bad = sets.first(where: { $0.name.isEmpty || $0.name.contains(where: { ",\"\n\r".contains($0) }) }) {
            throw AnomalyError("the set name '\(bad.name)' cannot be a CSV field as it is (empty, or with a comma, quote or line break)")
        }
        var text = ScoreReport.csvSignature + (names + ["deflate-bits"]).joined(separator: ",") + "\n"
        for (set, columns) in zip(sets, tables) {
            for i in set.labels.indices {
                let values = columns.map { "\($0.values[i])" } + ["\(set.scores.compressedBits[i])"]
                text += ([set.name, String(i), String(set.labels[i])] + values).joined(separator: ",") + "\n"
            }
        }
        return text
    }

    /// The detection metrics of every score, `outSet` against `inSet`, and of the typicality test
    /// on batches of each M in `batchSizes` (when both sets know Ĥ): `(name, metrics)` with
    /// names as in the CSV and `typicality-m<M>`.
    /// - Throws: `AnomalyError` when the sets have different columns or a batch does not fit.
    public static func detection(in inSet: ScoredSet, out outSet: ScoredSet,
                                 batchSizes: [Int] = [1, 2, 5, 10]) throws -> [(name: String, metrics: DetectionMetrics)] {
        let inColumns = try inSet.columns().filter { $0.name != "typicality" }
        let outColumns = try outSet.columns().filter { $0.name != "typicality" }
        guard inColumns.map(\.name) == outColumns.map(\.name) else {
            throw AnomalyError("the in and out sets were scored differently: \(inColumns.map(\.name)) and \(outColumns.map(\.name))")
        }
        var result = try zip(inColumns, outColumns).map { i, o in
            (name: i.name, metrics: try DetectionMetrics(inScores: i.values, outScores: o.values))
        }
        if let entropy = inSet.entropy, outSet.entropy == entropy {
            for m in batchSizes {
                let statistics = { (set: ScoredSet) in
                    try Typicality.statistics(negativeLogLikelihoods: set.scores.bestNegativeLogLikelihood, entropy: entropy, batchSize: m)
                }
                result.append((name: "typicality-m\(m)",
                               metrics: try DetectionMetrics(inScores: try statistics(inSet), outScores: try statistics(outSet))))
            }
        }
        return result
    }

    /// Checks that `background` can serve as `model`'s background in the likelihood ratio: both
    /// plain VAEs with the same likelihood (a ratio of a Bernoulli probability and a Gaussian
    /// density means nothing).
    /// - Throws: `AnomalyError` saying which condition fails.
    public static func checkBackground(_ background: VAEConfiguration, for model: VAEConfiguration) throws {
        guard model.classCount == 0, background.classCount == 0 else {
            throw AnomalyError("the likelihood ratio needs two plain VAEs; a conditional one needs labels an anomaly does not have")
        }
        guard background.likelihood == model.likelihood else {
            throw AnomalyError("the background model's likelihood (\(background.likelihood.summary)) differs from the model's "
                               + "(\(model.likelihood.summary)): their log-likelihoods cannot be subtracted")
        }
    }
}
