import Foundation

/// A judge validated on the kind of image it grades: its accuracy on real test digits, clean and
/// under each degradation that generated digits show (`ImageDegradation.generatedLike`).
///
/// A classifier that is 99.4% right on clean digits can still read a blurred class average as an
/// 8: it never saw one. Since a VAE's samples are smooth mean images, the judge's verdict on them
/// is only as good as its accuracy on images like them, which this table measures on real digits
/// whose labels are known.
public struct JudgeValidation: Sendable, Equatable {
    /// One degradation's line of the table.
    public struct Row: Sendable, Equatable {
        public var degradation: ImageDegradation
        /// The share of the degraded images classified as their label.
        public var accuracy: Double
        /// How many images were classified.
        public var count: Int

        public init(degradation: ImageDegradation, accuracy: Double, count: Int) {
            self.degradation = degradation
            self.accuracy = accuracy
            self.count = count
        }

        /// "judge degradation=blur-1.0 accuracy=0.9871 count=10000": one line for scripts.
        public var machineReadable: String {
            String(format: "judge degradation=%@ accuracy=%.4f count=%d", degradation.name, accuracy, count)
        }
    }

    public var rows: [Row]
    /// The seed of the random choices (averaged digits, shifts).
    public var seed: UInt64

    /// A table measured before (kept with the judge's run, say).
    public init(rows: [Row], seed: UInt64) {
        self.rows = rows
        self.seed = seed
    }

    /// Measures `predict` on `test` under each of `degradations`: every image of `test` degraded
    /// (`ImageDegradation.apply(to:seed:)`, the same seed for each) and classified.
    /// - Parameter predict: the most probable class of each image of a (B, 1, H, W) tensor.
    /// - Throws: the degradations' and `predict`'s errors; `DigitClassifierError.badInput` when
    ///   `test` is empty or `predict` answers with another number of classes than images.
    public init(on test: MNIST, degradations: [ImageDegradation] = ImageDegradation.generatedLike, seed: UInt64,
                predict: (Tensor) throws -> [Int]) throws {
        guard test.count >= 1 else { throw DigitClassifierError.badInput("validation needs at least one test image") }
        self.seed = seed
        rows = try degradations.map { degradation in
            let degraded = try degradation.apply(to: test, seed: seed)
            let predicted = try predict(degraded.images)
            guard predicted.count == degraded.count else {
                throw DigitClassifierError.badInput("\(predicted.count) predictions for \(degraded.count) images")
            }
            let correct = zip(predicted, degraded.labels).filter { $0 == Int($1) }.count
            return Row(degradation: degradation, accuracy: Double(correct) / Double(degraded.count), count: degraded.count)
        }
    }

    /// The row of `degradation`, if it was measured.
    public func accuracy(_ degradation: ImageDegradation) -> Double? {
        rows.first { $0.degradation == degradation }?.accuracy
    }

    /// The table for a person: one line per degradation, name, accuracy and count, with what the
    /// degradation does.
    public var table: String {
        let header = "degradation            accuracy    images   what"
        return ([header] + rows.map { row in
            row.degradation.name.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(format: " %8.2f%%  %8d   ", 100 * row.accuracy, row.count) + row.degradation.description
        }).joined(separator: "\n")
    }

    /// One `Row.machineReadable` line per row.
    public var machineReadable: String { rows.map(\.machineReadable).joined(separator: "\n") }
}

extension DigitClassifier {
    /// This judge's `JudgeValidation` on `test` (all of it, in evaluation mode).
    /// - Complexity: one forward pass per image and degradation: 11 × 10,000 for the standard
    ///   table on MNIST's test set.
    public func validation(on test: MNIST, degradations: [ImageDegradation] = ImageDegradation.generatedLike,
                           seed: UInt64 = 1) throws -> JudgeValidation {
        try JudgeValidation(on: test, degradations: degradations, seed: seed) { try predictions($0) }
    }
}
