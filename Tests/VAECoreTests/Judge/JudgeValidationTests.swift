import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The degradations of `JudgeValidation` on cases whose answers are known, the table on a tiny
/// synthetic classifier, the training degradations, and the diversity of draws.
@Suite struct JudgeValidationTests {
    /// One 9×9 image, 0 everywhere but `value` at (row, column).
    static func delta(side: Int = 9, row: Int = 4, column: Int = 4, value: Float = 1) -> Tensor {
        var image = Tensor(shape: [1, 1, side, side])
        image.scalars[row * side + column] = value
        return image
    }

    // MARK: Blur

    @Test func gaussianKernelIsNormalisedAndSymmetric() throws {
        #expect(try gaussianKernel(sigma: 0) == [1])
        for sigma in [0.5, 1, 1.5] {
            let k = try gaussianKernel(sigma: sigma)
            #expect(k.count == 2 * Int((3 * sigma).rounded(.up)) + 1)
            #expect(abs(k.reduce(0, +) - 1) <= 1e-6)
            #expect(k == k.reversed())
            #expect(k[k.count / 2] == k.max())
        }
        // σ = 1: the centre tap is 1/Σ exp(−d²/2) over d = −3…3.
        let sum = (-3...3).reduce(0.0) { $0 + exp(-Double($1 * $1) / 2) }
        #expect(abs(Double(try gaussianKernel(sigma: 1)[3]) - 1 / sum) <= 1e-7)
        #expect(throws: DigitClassifierError.self) { try gaussianKernel(sigma: -1) }
        #expect(throws: DigitClassifierError.self) { try gaussianKernel(sigma: .nan) }
    }

    @Test func blurOfADeltaIsTheKernelAndKeepsTheSum() throws {
        let k = try gaussianKernel(sigma: 1)                          // 7 taps
        let blurred = try gaussianBlurred(Self.delta(), sigma: 1)
        for h in 0..<9 { for w in 0..<9 {
            let expected: Float = (1...7).contains(h) && (1...7).contains(w) ? k[h - 1] * k[w - 1] : 0
            #expect(abs(blurred.scalars[h * 9 + w] - expected) <= 1e-7, "(\(h), \(w))")
        } }
        #expect(abs(blurred.scalars.reduce(0, +) - 1) <= 1e-6)
        #expect(try gaussianBlurred(Self.delta(), sigma: 0) == Self.delta())
        // A constant image stays constant away from the border.
        let flat = Tensor(shape: [2, 1, 12, 12], repeating: 0.5)
        let blurredFlat = try gaussianBlurred(flat, sigma: 1)
        #expect(abs(blurredFlat.scalars[6 * 12 + 6] - 0.5) <= 1e-6)
        #expect(blurredFlat.scalars[0] < 0.5, "outside counts as black")
    }

    // MARK: Class averages

    @Test func classAveragesOfKnownSets() throws {
        // Identical images of one class: their average is the image.
        var random = RandomSource(seed: 1)
        let image = Tensor.uniform([1, 1, 28, 28], using: &random)
        let same = MNIST(images: Tensor(shape: [4, 1, 28, 28], scalars: Array(repeating: image.scalars, count: 4).flatMap { $0 }),
                         labels: [3, 3, 3, 3])
        let averaged = try VAECore.classAverages(of: same, count: 3, using: &random)
        #expect(averaged.images.maxAbsDifference(same.images) <= 1e-6)
        #expect(averaged.labels == same.labels)

        // Two classes of constant images: class 0 holds 0 and 1, class 1 holds 10 and 20 (never
        // mixed). A mean of 2 is of both images of the class; of 5, of all it has.
        let values: [Float] = [0, 10, 1, 20]
        let labels: [UInt8] = [0, 1, 0, 1]
        let set = MNIST(images: Tensor(shape: [4, 1, 2, 2], scalars: values.flatMap { Array(repeating: $0, count: 4) }), labels: labels)
        for count in [2, 5] {
            let out = try VAECore.classAverages(of: set, count: count, using: &random)
            #expect(out.images.scalars == [0.5, 0.5, 0.5, 0.5, 15, 15, 15, 15, 0.5, 0.5, 0.5, 0.5, 15, 15, 15, 15])
        }
        #expect(try VAECore.classAverages(of: set, count: 1, using: &random).images == set.images)
        #expect(throws: DigitClassifierError.self) { try VAECore.classAverages(of: set, count: 0, using: &random) }

        // Seeded: the same seed picks the same digits.
        let digits = DigitClassifierTests.blocks(40, seed: 2)
        let a = try ImageDegradation.classAverage(count: 5).apply(to: digits, seed: 9).images
        #expect(a == (try ImageDegradation.classAverage(count: 5).apply(to: digits, seed: 9).images))
        #expect(a != (try ImageDegradation.classAverage(count: 5).apply(to: digits, seed: 10).images))
    }

    // MARK: The other degradations

    @Test func thresholdContrastAndShift() throws {
        let images = Tensor(shape: [1, 1, 2, 2], scalars: [0, 0.49, 0.5, 1])
        let set = MNIST(images: images, labels: [7])
        #expect(try ImageDegradation.binarized(threshold: 0.5).apply(to: set, seed: 1).images.scalars == [0, 0, 1, 1])
        #expect(try ImageDegradation.contrast(scale: 0.5, offset: 0).apply(to: set, seed: 1).images.scalars == [0, 0.245, 0.25, 0.5])
        #expect(try ImageDegradation.contrast(scale: 0.5, offset: 0.25).apply(to: set, seed: 1).images.scalars == [0.25, 0.495, 0.5, 0.75])
        #expect(try ImageDegradation.clean.apply(to: set, seed: 1).images == set.images)
        // A shift keeps the labels and moves by at most the bound: the sum can only drop.
        let digits = DigitClassifierTests.blocks(20, seed: 3)
        let moved = try ImageDegradation.shifted(maxShift: 2).apply(to: digits, seed: 4)
        #expect(moved.labels == digits.labels && moved.images != digits.images)
        #expect(try ImageDegradation.shifted(maxShift: 0).apply(to: digits, seed: 4).images == digits.images)
        #expect(ImageDegradation.generatedLike.map(\.name) == [
            "clean", "blur-0.5", "blur-1.0", "blur-1.5", "average-2", "average-5", "average-20", "binarized-0.5",
            "contrast-0.5x", "contrast-0.25+0.5x", "shift-2"])
    }

    // MARK: The table

    /// A tiny synthetic classifier of `DigitClassifierTests.blocks`: the class is where the
    /// brightest 6×6 block lies (of the ten places the blocks are drawn at).
    static func blockReader(_ images: Tensor) -> [Int] {
        (0..<images.shape[0]).map { n in
            (0..<10).max { a, b in blockSum(images, n, a) < blockSum(images, n, b) }!
        }
    }

    static func blockSum(_ images: Tensor, _ n: Int, _ label: Int) -> Float {
        let (top, left) = (2 + (label / 5) * 13, 1 + (label % 5) * 5)
        var sum: Float = 0
        for h in top..<(top + 6) { for w in left..<(left + 6) { sum += images.scalars[n * 784 + h * 28 + w] } }
        return sum
    }

    @Test func tableOnATinySyntheticClassifier() throws {
        let test = DigitClassifierTests.blocks(100, seed: 5)
        let validation = try JudgeValidation(on: test, seed: 6, predict: Self.blockReader)
        #expect(validation.rows.map(\.degradation) == ImageDegradation.generatedLike)
        #expect(validation.rows.allSatisfy { $0.count == 100 })
        // Every degradation keeps the brightest block where it was, except shifts (that move a
        // block towards the next place) at most: the reader is right on all the others.
        for row in validation.rows where row.degradation != .shifted(maxShift: 2) {
            #expect(row.accuracy == 1, "\(row.degradation.name): \(row.accuracy)")
        }
        #expect(validation.accuracy(.clean) == 1 && validation.accuracy(.gaussianBlur(sigma: 7)) == nil)
        #expect(validation.machineReadable.split(separator: "\n").first == "judge degradation=clean accuracy=1.0000 count=100")
        #expect(validation.table.split(separator: "\n").count == 12)

        // A reader that always says 0 is right on a tenth, under every degradation.
        let zero = try JudgeValidation(on: test, degradations: [.clean, .classAverage(count: 5)], seed: 6) { Array(repeating: 0, count: $0.shape[0]) }
        #expect(zero.rows.map(\.accuracy) == [0.1, 0.1])
        #expect(throws: DigitClassifierError.self) { try JudgeValidation(on: test, seed: 6) { _ in [0] } }

        // The same through a (tiny, untrained) DigitClassifier: the plumbing, not the accuracy.
        var random = RandomSource(seed: 7)
        let model = try DigitClassifier(DigitClassifierTests.tiny, using: &random)
        let table = try model.validation(on: test.prefix(20), degradations: [.clean, .gaussianBlur(sigma: 1)], seed: 1)
        #expect(table.rows.map(\.count) == [20, 20])
    }

    // MARK: Training degradations

    @Test func trainingDegradationsAreSeededAndStayInRange() throws {
        let digits = DigitClassifierTests.blocks(60, seed: 8)
        var training = DigitClassifierTraining.standard
        training.averageProbability = 0.5
        func degrade(seed: UInt64) throws -> Tensor {
            var augmenter = DigitAugmenter(training, dataset: digits)
            var images = digits.prefix(20).images
            var random = RandomSource(seed: seed)
            try augmenter.apply(to: &images, labels: Array(digits.labels.prefix(20)), using: &random)
            return images
        }
        let a = try degrade(seed: 1)
        #expect(a == (try degrade(seed: 1)))
        #expect(a != (try degrade(seed: 2)))
        #expect(a != digits.prefix(20).images)
        #expect(a.scalars.allSatisfy { $0 >= 0 && $0 <= 1.000001 })
        // The blocks stay readable: every degradation keeps the brightest block in place.
        #expect(Self.blockReader(a) == digits.labels.prefix(20).map(Int.init))

        // All off: the images untouched (training is then the shifts-only one, bit for bit).
        var none = DigitAugmenter(.shiftsOnly, dataset: digits)
        var images = digits.prefix(20).images
        var random = RandomSource(seed: 1)
        try none.apply(to: &images, labels: Array(digits.labels.prefix(20)), using: &random)
        #expect(images == digits.prefix(20).images)
        #expect(!DigitClassifierTraining.shiftsOnly.degrades && DigitClassifierTraining.standard.degrades)

        var bad = DigitClassifierTraining.standard
        bad.blurProbability = 1.5
        #expect(throws: DigitClassifierError.self) { try bad.validate() }
        bad = .standard
        bad.averageCounts = []
        #expect(throws: DigitClassifierError.self) { try bad.validate() }
    }

    @Test func settingsSavedBeforeTheDegradationsDecodeAsOff() throws {
        let old = #"{"batchSize":128,"epochs":3,"learningRate":0.002,"maxShift":2,"seed":1,"warmupSteps":100}"#
        let decoded = try JSONDecoder().decode(DigitClassifierTraining.self, from: Data(old.utf8))
        #expect(decoded == .shiftsOnly)
        let roundTrip = try JSONDecoder().decode(DigitClassifierTraining.self, from: JSONEncoder().encode(DigitClassifierTraining.standard))
        #expect(roundTrip == .standard)
    }

    // MARK: Diversity

    @Test func classSpreadOnKnownCases() throws {
        // Identical draws: no spread.
        let same = Tensor(shape: [4, 3], scalars: Array(repeating: [0.2, 0.5, 1], count: 4).flatMap { $0 })
        #expect(try classSpread(same, labels: [1, 1, 1, 1], classCount: 2).perClass == [nil, 0])
        // Two fixed images: their distance (3-4-5).
        let two = Tensor(shape: [2, 1, 1, 2], scalars: [0, 0, 0.3, 0.4])
        let spread = try classSpread(two, labels: [0, 0], classCount: 1)
        #expect(abs(spread.perClass[0]! - 0.5) <= 1e-7 && abs(spread.overall - 0.5) <= 1e-7)
        // Three points on a line at 0, 1, 3: pairs 1, 3, 2, mean 2; another class at distance 4.
        let points = Tensor(shape: [5, 1], scalars: [0, 1, 3, 10, 14])
        let both = try classSpread(points, labels: [0, 0, 0, 1, 1], classCount: 2)
        #expect(both.perClass == [2, 4] && both.overall == 3 && both.counts == [3, 2])
        // A limit takes each class's first vectors.
        #expect(try classSpread(points, labels: [0, 0, 0, 1, 1], classCount: 2, limit: 2).perClass == [1, 4])
        #expect(throws: SampleQualityError.self) { try classSpread(points, labels: [0, 1, 2, 3, 4], classCount: 5) }
        #expect(throws: SampleQualityError.self) { try classSpread(points, labels: [0, 0, 0, 1, 9], classCount: 2) }

        let comparison = try DiversityComparison(draws: points, drawLabels: [0, 0, 0, 1, 1],
                                                 real: Tensor(shape: [4, 1], scalars: [0, 4, 0, 2]), realLabels: [0, 0, 1, 1],
                                                 classCount: 2)
        #expect(comparison.ratios == [0.5, 2] && comparison.overallRatio == 1)
    }

    @Test func diversityThroughTheJudge() throws {
        var random = RandomSource(seed: 11)
        let model = try DigitClassifier(DigitClassifierTests.tiny, using: &random)
        let real = DigitClassifierTests.blocks(40, seed: 12)
        // The real images as their own draws: a ratio of 1, on pixels and on features.
        let (pixels, features) = try model.diversity(draws: real.images, labels: real.labels.map(Int.init), real: real)
        #expect(pixels.overallRatio == 1 && features.overallRatio == 1)
        #expect(pixels.draws.counts == Array(repeating: 4, count: 10))
        // One image repeated under its label: no spread at all.
        let one = real.prefix(1)
        let copies = Tensor(shape: [3, 1, 28, 28], scalars: Array(repeating: one.images.scalars, count: 3).flatMap { $0 })
        let collapsed = try model.diversity(draws: copies, labels: [0, 0, 0], real: real)
        #expect(collapsed.pixels.draws.perClass[0] == 0 && collapsed.features.draws.perClass[0] == 0)
        #expect(collapsed.pixels.ratios[0] == 0)
    }

    /// With a limit, only the first images of each class get the judge's features: the answer is
    /// the one computed from every image's features, to the last bit.
    @Test func diversityReadsOnlyTheImagesItCompares() throws {
        var random = RandomSource(seed: 11)
        let model = try DigitClassifier(DigitClassifierTests.tiny, using: &random)
        let real = DigitClassifierTests.blocks(60, seed: 12)
        let draws = DigitClassifierTests.blocks(50, seed: 13)
        let (drawLabels, realLabels) = (draws.labels.map(Int.init), real.labels.map(Int.init))
        #expect(firstOfEachClass([3, 1, 3, 3, 9, 1, 12, -1], classCount: 10, limit: 2) == [0, 1, 2, 4, 5])
        #expect(firstOfEachClass([3, 1, 3], classCount: 10, limit: nil) == [0, 1, 2])
        let limited = try model.diversity(draws: draws.images, labels: drawLabels, real: real, limit: 3)
        let everything = try DiversityComparison(draws: try model.features(draws.images), drawLabels: drawLabels,
                                                 real: try model.features(real.images), realLabels: realLabels,
                                                 classCount: 10, limit: 3)
        #expect(limited.features == everything)
        #expect(limited.features.draws.counts == everything.draws.counts && limited.features.draws.counts.allSatisfy { $0 <= 3 })
    }
}
