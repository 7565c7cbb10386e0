import Foundation

// Diversity beside coherence: a conditional generator that draws the same perfect 3 every time
// is always "as asked", and the judge's accuracy cannot tell. The spread of the draws of one
// class can: the mean distance between two of them, against the same for real digits of that
// class. A ratio near 1 says the draws vary as much as real writing does; well below 1, that
// they collapse onto a few typical shapes (a cooled prior, a large β); above 1, that they vary
// more than digits do (noise, blur of many shapes).

/// The mean pairwise Euclidean distance between the vectors of each class.
public struct ClassSpread: Sendable, Equatable {
    /// `perClass[c]`: the mean ‖a − b‖ over the pairs of distinct vectors labelled c (nil when
    /// fewer than two were).
    public var perClass: [Double?]
    /// The mean of `perClass` over the classes that have one (each class counts once).
    public var overall: Double
    /// How many vectors of each class were used.
    public var counts: [Int]
}

/// The mean pairwise L2 distance within each class of `vectors` (N, D), class by `labels` in
/// 0..<`classCount`, on at most `limit` vectors per class (its first ones; nil: all).
/// - Throws: `SampleQualityError` for a malformed input, a label outside the classes, or no
///   class with two vectors.
/// - Complexity: O(Σ_c n_c² · D / 2), in Double.
func classSpread(_ vectors: Tensor, labels: [Int], classCount: Int, limit: Int? = nil) throws -> ClassSpread {
    guard vectors.rank >= 2, vectors.shape[0] == labels.count, classCount >= 1, (limit ?? 2) >= 2 else {
        throw SampleQualityError("class spread needs (N, D…) vectors with N labels, classes ≥ 1 and a limit ≥ 2; "
                                 + "got \(vectors.shape), \(labels.count) labels, \(classCount) classes, limit \(limit.map(String.init) ?? "none")")
    }
    if let bad = labels.first(where: { !(0..<classCount).contains($0) }) {
        throw SampleQualityError("label \(bad) is outside 0..<\(classCount)")
    }
    let d = vectors.count / max(labels.count, 1)
    var members = [[Int]](repeating: [], count: classCount)
    for n in firstOfEachClass(labels, classCount: classCount, limit: limit) { members[labels[n]].append(n) }
    let perClass: [Double?] = vectors.withUnsafeBufferPointer { x in
        members.map { rows in
            guard rows.count >= 2 else { return nil }
            var sum = 0.0
            for (i, a) in rows.enumerated() {
                let first = x.baseAddress! + a * d
                for b in rows[(i + 1)...] {
                    let second = x.baseAddress! + b * d
                    var squared = 0.0
                    for j in 0..<d { let diff = Double(first[j] - second[j]); squared += diff * diff }
                    sum += squared.squareRoot()
                }
            }
            return sum / Double(rows.count * (rows.count - 1) / 2)
        }
    }
    let present = perClass.compactMap { $0 }
    guard !present.isEmpty else { throw SampleQualityError("no class has two vectors to compare") }
    return ClassSpread(perClass: perClass, overall: present.reduce(0, +) / Double(present.count), counts: members.map(\.count))
}

/// The spread of generated draws against real images of the same classes: `ClassSpread` of each,
/// and their ratio per class and overall (draws over real; 1: as varied as real digits).
public struct DiversityComparison: Sendable, Equatable {
    public var draws: ClassSpread
    public var real: ClassSpread

    /// `draws.perClass[c] / real.perClass[c]` (nil where either is missing or real's is 0).
    public var ratios: [Double?] {
        zip(draws.perClass, real.perClass).map { a, b in
            guard let a, let b, b > 0 else { return nil }
            return a / b
        }
    }

    /// `draws.overall / real.overall`.
    public var overallRatio: Double { draws.overall / real.overall }

    public init(draws: ClassSpread, real: ClassSpread) {
        self.draws = draws
        self.real = real
    }

    /// Compares `draws` (N, D) under `drawLabels` with `real` (M, D) under `realLabels`, at most
    /// `limit` of each per class.
    public init(draws: Tensor, drawLabels: [Int], real: Tensor, realLabels: [Int], classCount: Int, limit: Int? = nil) throws {
        self.init(draws: try classSpread(draws, labels: drawLabels, classCount: classCount, limit: limit),
                  real: try classSpread(real, labels: realLabels, classCount: classCount, limit: limit))
    }
}

extension DigitClassifier {
    /// The diversity of conditional `draws` (N, 1, 28, 28) drawn under `labels`, against `real`
    /// images of the same classes, twice: on the pixels (values in [0, 1]) and on the judge's
    /// hidden features (its 128 features after the ReLU). At most `limit` images per class.
    public func diversity(draws: Tensor, labels: [Int], real: MNIST,
                          limit: Int? = nil) throws -> (pixels: DiversityComparison, features: DiversityComparison) {
        let k = architecture.classCount
        let realLabels = real.labels.map(Int.init)
        let pixels = try DiversityComparison(draws: draws, drawLabels: labels, real: real.images, realLabels: realLabels,
                                             classCount: k, limit: limit)
        // The comparison reads only the first `limit` images of each class (the pixel comparison
        // above has checked the labels): the judge's features are computed for those alone, a
        // half of 10,000 test digits at 500 per class. Each image's features
        // do not depend on the others in the batch, so this changes nothing but the time.
        let drawRows = firstOfEachClass(labels, classCount: k, limit: limit)
        let realRows = firstOfEachClass(realLabels, classCount: k, limit: limit)
        let features = try DiversityComparison(draws: try self.features(draws.rows(at: drawRows)), drawLabels: drawRows.map { labels[$0] },
                                               real: try self.features(real.images.rows(at: realRows)),
                                               realLabels: realRows.map { realLabels[$0] }, classCount: k, limit: limit)
        return (pixels, features)
    }
}

/// The indices of the first `limit` entries of each class of `labels` (all with no limit), in
/// their order: the rows `classSpread` reads. Labels outside 0..<classCount are left out.
func firstOfEachClass(_ labels: [Int], classCount: Int, limit: Int?) -> [Int] {
    var taken = [Int](repeating: 0, count: max(classCount, 0))
    var rows: [Int] = []
    for (n, label) in labels.enumerated() where (0..<classCount).contains(label) && taken[label] < (limit ?? Int.max) {
        taken[label] += 1
        rows.append(n)
    }
    return rows
}
