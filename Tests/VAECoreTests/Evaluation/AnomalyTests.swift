import CZlib
import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// Chapter 10's anomaly detection: the detection metrics against hand-computed cases (ties,
/// degenerate inputs, refusals), the typicality statistic, the Mahalanobis distance against an
/// explicit inverse, the deflate length and input complexity, the outlier sets and corrupted
/// training sets, the per-image scores of a model, and the score table of `vae score`.
@Suite struct AnomalyTests {
    // MARK: Detection metrics

    /// in = {1, 2, 3}, out = {4, 5}: every out image scores above every in image.
    @Test func perfectSeparation() throws {
        let m = try DetectionMetrics(inScores: [1, 2, 3], outScores: [4, 5])
        #expect(m.auroc == 1 && m.aupr == 1 && m.fprAt95 == 0)
        #expect(m.inCount == 3 && m.outCount == 2)
    }

    /// in = {4, 5}, out = {1, 2, 3}, the wrong way round. Thresholds 5, 4, 3, 2, 1 give
    /// (TP, FP) = (0,1), (0,2), (1,2), (2,2), (3,2): AP = ⅓·(⅓ + ½ + ⅗) = 43/90, and 95% of the
    /// anomalies are caught only at the last threshold, where every normal image is flagged.
    @Test func reversedSeparation() throws {
        let m = try DetectionMetrics(inScores: [4, 5], outScores: [1, 2, 3])
        #expect(m.auroc == 0)
        #expect(abs(m.aupr - 43.0 / 90) < 1e-15)
        #expect(m.fprAt95 == 1)
    }

    /// in = {1, 2}, out = {2, 3}: of the four pairs, three are won and one (2 against 2) tied,
    /// so AUROC = 3.5/4. The tied threshold 2 takes one in and one out image at once: the ROC
    /// moves diagonally from (0, ½) to (½, 1). AP = ½·1 + ½·⅔ = ⅚.
    @Test func tiesCountAsHalf() throws {
        let roc = try ROCCurve(inScores: [1, 2], outScores: [2, 3])
        #expect(roc.thresholds == [3, 2, 1])
        #expect(roc.falsePositiveRates == [0, 0, 0.5, 1])
        #expect(roc.truePositiveRates == [0, 0.5, 1, 1])
        #expect(roc.area == 0.875)
        #expect(abs(roc.averagePrecision - 5.0 / 6) < 1e-15)
        #expect(roc.falsePositiveRate(atTruePositiveRate: 0.95) == 0.5)
        #expect(aurocByPairs(inScores: [1, 2], outScores: [2, 3]) == 0.875)
    }

    /// All scores equal: one threshold, chance AUROC, precision the share of anomalies.
    @Test func allEqualScoresAreChance() throws {
        let m = try DetectionMetrics(inScores: [5, 5, 5], outScores: [5, 5])
        #expect(m.auroc == 0.5)
        #expect(abs(m.aupr - 0.4) < 1e-15)
        #expect(m.fprAt95 == 1)
    }

    /// 20 anomalies: 95% is 19 of them, exactly (0.95·20 is 19.000000000000004 in Double).
    @Test func ninetyFivePercentIsCountedExactly() throws {
        let outs = (1...20).map(Double.init).map { $0 + 100 }     // 101 … 120
        var ins = [Double](repeating: 0, count: 10)
        ins[0] = 101.5                                            // above the lowest anomaly only
        let m = try DetectionMetrics(inScores: ins, outScores: outs)
        #expect(m.fprAt95 == 0, "19 anomalies (102…120) are caught before the normal image at 101.5")
        let wins: Double = 19 * 10 + 9                    // 102…120 beat all ten, 101 the nine zeros
        #expect(m.auroc == wins / 200)
    }

    @Test func aurocMatchesThePairCountOnRandomScoresWithTies() {
        var random = RandomSource(seed: 4)
        for trial in 0..<20 {
            let ins = (0..<(5 + trial)).map { _ in Double(random.uniformInt(below: 8)) }
            let outs = (0..<(3 + 2 * trial)).map { _ in Double(random.uniformInt(below: 8) + 1) }
            guard let roc = try? ROCCurve(inScores: ins, outScores: outs) else { Issue.record("no ROC"); continue }
            let pairs = aurocByPairs(inScores: ins, outScores: outs)
            #expect(abs(roc.area - pairs) < 1e-12)
            #expect(roc.falsePositiveRates.last == 1 && roc.truePositiveRates.last == 1)
        }
    }

    @Test func anEmptyClassOrANonFiniteScoreIsRefused() {
        #expect(throws: AnomalyError("there are no in-distribution scores: an ROC needs both classes")) {
            try DetectionMetrics(inScores: [], outScores: [1])
        }
        #expect(throws: AnomalyError("there are no out-of-distribution scores: an ROC needs both classes")) {
            try DetectionMetrics(inScores: [1], outScores: [])
        }
        #expect(throws: AnomalyError.self) { try DetectionMetrics(inScores: [1, .nan], outScores: [2]) }
        #expect(throws: AnomalyError.self) { try DetectionMetrics(inScores: [1], outScores: [.infinity]) }
    }

    // MARK: Typicality

    @Test func typicalityIsTheDistanceOfBatchMeansFromTheEntropy() throws {
        let nll: [Double] = [90, 110, 30, 40, 100]
        #expect(try Typicality.statistics(negativeLogLikelihoods: nll, entropy: 95, batchSize: 1) == [5, 15, 65, 55, 5])
        #expect(try Typicality.statistics(negativeLogLikelihoods: nll, entropy: 95, batchSize: 2) == [5, 60])   // last image dropped
        #expect(try Typicality.statistics(negativeLogLikelihoods: nll, entropy: 95, batchSize: 5) == [21])
        #expect(throws: AnomalyError.self) { try Typicality.statistics(negativeLogLikelihoods: nll, entropy: 95, batchSize: 0) }
        #expect(throws: AnomalyError.self) { try Typicality.statistics(negativeLogLikelihoods: nll, entropy: 95, batchSize: 6) }
        #expect(throws: AnomalyError.self) { try Typicality.statistics(negativeLogLikelihoods: [.nan], entropy: 95, batchSize: 1) }
    }

    // MARK: Mahalanobis distance

    @Test func mahalanobisMatchesAnExplicitInverse() throws {
        // Σ = [[2, 1], [1, 2]], Σ⁻¹ = ⅓[[2, −1], [−1, 2]]; m = (1, −1).
        let distance = try MahalanobisDistance(mean: [1, -1], covariance: [2, 1, 1, 2])
        let points = Tensor(shape: [3, 2], scalars: [2, -1, 1, 0, 3, 1])   // centred: (1, 0), (0, 1), (2, 2)
        let third: Double = 1.0 / 3
        let expected: [Double] = [2 * third, 2 * third, 8 * third]        // (2, 2): (2·4 − 2·4 + 2·4)/3
        for (d, e) in zip(try distance.squaredDistances(points), expected) { #expect(abs(d - e) < 1e-12) }

        // The identity: the squared Euclidean distance.
        let identity = try MahalanobisDistance(mean: [0, 0, 0], covariance: [1, 0, 0, 0, 1, 0, 0, 0, 1])
        let euclidean = try identity.squaredDistances(Tensor(shape: [1, 3], scalars: [1, 2, 2]))[0]
        #expect(abs(euclidean - 9) < 1e-12)
    }

    @Test func mahalanobisRefusesASingularCovarianceAndBadPoints() throws {
        #expect(throws: AnomalyError.self) { try MahalanobisDistance(mean: [0, 0], covariance: [1, 1, 1, 1]) }
        #expect(throws: AnomalyError.self) { try MahalanobisDistance(mean: [0, 0], covariance: [1, 0, 0]) }
        let distance = try MahalanobisDistance(mean: [0, 0], covariance: [1, 0, 0, 1])
        #expect(throws: AnomalyError.self) { try distance.squaredDistances(Tensor(shape: [1, 3])) }
        #expect(throws: AnomalyError.self) { try distance.squaredDistances(Tensor(shape: [1, 2], scalars: [.nan, 0])) }
    }

    /// The fitted prior's Gaussian is the aggregate posterior's: Cov[μ] + E[σ²].
    @Test func mahalanobisOfAFittedCodePrior() throws {
        let means = Tensor(shape: [4, 1], scalars: [-1, 1, -1, 1])                 // Cov[μ] = 4/3 (÷ N − 1)
        let logVariances = Tensor(shape: [4, 1], repeating: 0)                       // σ² = 1
        let prior = try FittedCodePrior(means: means, logVariances: logVariances, labels: [0, 0, 0, 0], classes: 1)
        let distance = try MahalanobisDistance(prior: prior)
        let variance: Double = 4.0 / 3 + 1
        let d2 = try distance.squaredDistances(Tensor(shape: [1, 1], scalars: [2]))[0]
        #expect(abs(d2 - 4 / variance) < 1e-12)
        #expect(throws: AnomalyError.self) { try MahalanobisDistance(prior: prior, label: 1) }
    }

    // MARK: Input complexity

    /// Raw deflate, inflated back with zlib's inflate (windowBits −15), gives the bytes again.
    static func inflateRaw(_ compressed: [UInt8], size: Int) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var input = compressed
        var output = [UInt8](repeating: 0, count: size + 16)
        let (status, produced) = input.withUnsafeMutableBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in
                stream.next_in = i.baseAddress; stream.avail_in = UInt32(i.count)
                stream.next_out = o.baseAddress; stream.avail_out = UInt32(o.count)
                let status = inflate(&stream, Z_FINISH)
                return (status, o.count - Int(stream.avail_out))
            }
        }
        return status == Z_STREAM_END ? Array(output[..<produced]) : nil
    }

    @Test func deflateRoundTripsAndMeasuresComplexity() throws {
        let noise = MNIST.uniformNoise(count: 1, seed: 6).binarized(seed: 7).images
        let blank = MNIST.blankImages(count: 1).images
        var stripes = Tensor(shape: [1, 1, 28, 28])
        for r in 0..<28 { for c in 0..<28 where c % 4 == 0 { stripes.scalars[r * 28 + c] = 1 } }
        for image in [noise, blank, stripes] {
            let bytes = image.withUnsafeBufferPointer { InputComplexity.bytes($0) }
            #expect(bytes.allSatisfy { $0 == 0 || $0 == 255 })
            let compressed = try InputComplexity.deflate(bytes)
            #expect(Self.inflateRaw(compressed, size: 784) == bytes)
        }
        let bits = try InputComplexity.bits(of: Tensor.concatenateRows(Tensor.concatenateRows(blank, stripes), noise))
        #expect(bits[0] < 100, "784 zeros deflate to a few bytes, not \(bits[0]) bits")
        #expect(bits[0] < bits[1] && bits[1] < bits[2], "blank < stripes < noise: \(bits)")
        #expect(bits[2] >= 700, "784 fair coin flips cannot compress below about 784 bits: \(bits[2])")
        #expect(try InputComplexity.bits(of: noise) == [bits[2]], "deflate is deterministic")
        // S = NLL / ln 2 − L.
        let nats: [Double] = [log(2.0) * 100, 0]
        let s = try InputComplexity.scores(negativeLogLikelihood: nats, compressedBits: [60, 8])
        #expect(abs(s[0] - 40) < 1e-12)
        #expect(s[1] == -8)
        #expect(throws: AnomalyError.self) { try InputComplexity.scores(negativeLogLikelihood: [1], compressedBits: []) }
        #expect(throws: AnomalyError.self) { try InputComplexity.bits(of: Tensor(shape: [1, 1, 2, 2], scalars: [0, 2, 0, 0])) }
        #expect(throws: AnomalyError.self) { try InputComplexity.bits(of: Tensor(shape: [0, 1, 28, 28])) }
    }

    // MARK: Outlier sets and training sets

    @Test func transformationsMoveThePixelsTheyShould() {
        var image = [Float](repeating: 0, count: 784)
        image[2 * 28 + 5] = 1                                   // row 2, column 5
        let set = MNIST(images: Tensor(shape: [1, 1, 28, 28], scalars: image), labels: [3])
        #expect(set.mirrored().images.scalars[2 * 28 + 22] == 1)               // column 27 − 5
        // A quarter turn clockwise: (r, c) ← (27 − c, r), so the pixel at (2, 5) goes to (5, 25).
        #expect(set.rotatedQuarterTurn().images.scalars[5 * 28 + 25] == 1)
        #expect(set.mirrored().mirrored().images == set.images)
        #expect(set.rotatedQuarterTurn().rotatedQuarterTurn().rotatedQuarterTurn().rotatedQuarterTurn().images == set.images)
        #expect(set.inverted().images.scalars[0] == 1 && set.inverted().images.scalars[2 * 28 + 5] == 0)
        #expect(set.mirrored().labels == [3])
        let blank = MNIST.blankImages(count: 3)
        #expect(blank.count == 3 && blank.images.scalars.allSatisfy { $0 == 0 })
        let constant = MNIST.constantImages(count: 4, seed: 2)
        for n in 0..<4 { #expect(Set(constant.images.slice(n).scalars).count == 1) }
        #expect(MNIST.uniformNoise(count: 2, seed: 3).images == MNIST.uniformNoise(count: 2, seed: 3).images)
    }

    @Test func selectingAndFlippingMakeNewTrainingSets() throws {
        let set = MNIST(images: Tensor(shape: [4, 1, 2, 2], scalars: (0..<16).map { Float($0) / 16 }), labels: [1, 7, 1, 2])
        let noOnes = set.selecting { $0 != 1 }
        #expect(noOnes.labels == [7, 2])
        let kept: [Float] = [4, 5, 6, 7, 12, 13, 14, 15].map { $0 / 16 }
        #expect(noOnes.images.scalars == kept)
        #expect(try set.flippingPixels(rate: 0, seed: 1).images == set.images)
        #expect(try set.flippingPixels(rate: 1, seed: 1).images == set.inverted().images)
        let big = MNIST.blankImages(count: 100)
        let flipped = try big.flippingPixels(rate: 0.2, seed: 5)
        let share = Double(flipped.images.scalars.filter { $0 == 1 }.count) / Double(flipped.images.count)
        #expect(abs(share - 0.2) < 0.01, "78,400 draws at rate 0.2 gave \(share)")
        #expect(try big.flippingPixels(rate: 0.2, seed: 5).images == flipped.images, "one seed, one corruption")
        #expect(try big.flippingPixels(rate: 0.2, seed: 6).images != flipped.images)
        #expect(throws: AnomalyError.self) { try set.flippingPixels(rate: 1.5, seed: 1) }
        // A corrupted or filtered copy is other training data: another SHA-256, another run.
        #expect(flipped.contentDigest != big.contentDigest && noOnes.contentDigest != set.contentDigest)
    }

    // MARK: Scores of a model

    static func smallModel(latent: Int = 3) throws -> VAE {
        var random = RandomSource(seed: 12)
        let model = try VAE(VAEConfiguration(latentDimensions: latent, architecture: .mlp), using: &random)
        model.isTraining = false
        return model
    }

    static func images(_ count: Int, seed: UInt64) -> Tensor {
        MNIST.uniformNoise(count: count, seed: seed).binarized(seed: seed + 1).images
    }

    @Test func scoresAgreeWithTheEvaluationFunctions() throws {
        let model = try Self.smallModel()
        let images = Self.images(12, seed: 20)
        let codes = try encodePosteriors(model: model, images: images)
        let prior = try FittedCodePrior(means: codes.mean, logVariances: codes.logVariance, labels: [Int](repeating: 0, count: 12), classes: 1)
        let gaussian = try MahalanobisDistance(prior: prior)
        let scores = try scoreImages(model: model, images: images, settings: ScoringSettings(importanceSamples: 8, seed: 3, codeGaussian: gaussian))
        let elbo = try evaluateELBO(model: model, images: images, seed: 3)
        let iw = try evaluateImportanceWeighted(model: model, images: images, samples: 8, seed: 4)
        #expect(scores.count == 12)
        #expect(scores.negativeELBO == elbo.perImage.map { -$0 })
        for i in 0..<12 {
            #expect(abs(scores.negativeELBO[i] - scores.reconstruction[i] - scores.kl[i]) <= 1e-9 * scores.negativeELBO[i])
            #expect(scores.kl[i] >= 0)
        }
        #expect(scores.negativeLogLikelihood == iw.logLikelihoods.map { -$0 })
        #expect(scores.mahalanobis == (try gaussian.squaredDistances(codes.mean)))
        #expect(scores.compressedBits == (try InputComplexity.bits(of: images)))
        #expect(scores.bestNegativeLogLikelihood == scores.negativeLogLikelihood)
        let picked = scores.subset([5, 0])
        #expect(picked.count == 2 && picked.kl == [scores.kl[5], scores.kl[0]] && picked.mahalanobis[1] == scores.mahalanobis[0])

        // Without k and a Gaussian: the −ELBO stands in for the NLL; those scores are absent.
        let cheap = try scoreImages(model: model, images: images, settings: ScoringSettings(importanceSamples: 0, seed: 3))
        #expect(cheap.negativeLogLikelihood.isEmpty && cheap.mahalanobis.isEmpty && cheap.bestNegativeLogLikelihood == cheap.negativeELBO)
        #expect(try AnomalyScore.negativeLogLikelihood.values(cheap) == nil)
        #expect(try AnomalyScore.mahalanobis.values(cheap) == nil)
        #expect(try AnomalyScore.likelihoodRatio.values(cheap) == nil)
        let ratio = try AnomalyScore.likelihoodRatio.values(scores, background: cheap)!
        #expect(ratio == zip(scores.negativeLogLikelihood, cheap.negativeELBO).map { $0 - $1 })
        #expect(throws: AnomalyError.self) { try AnomalyScore.likelihoodRatio.values(scores, background: cheap.subset([0, 1, 2])) }
    }

    @Test func scoringRefusesWhatItCannotScore() throws {
        var random = RandomSource(seed: 2)
        let conditional = try VAE(VAEConfiguration(latentDimensions: 2, architecture: .mlp, classCount: 10), using: &random)
        let images = Self.images(3, seed: 1)
        #expect(throws: AnomalyError.self) { try scoreImages(model: conditional, images: images, settings: ScoringSettings(importanceSamples: 0, seed: 1)) }
        let model = try Self.smallModel()
        #expect(throws: AnomalyError.self) { try scoreImages(model: model, images: images, settings: ScoringSettings(importanceSamples: -1, seed: 1)) }
        let wrongGaussian = try MahalanobisDistance(mean: [0, 0], covariance: [1, 0, 0, 1])
        #expect(throws: AnomalyError.self) {
            try scoreImages(model: model, images: images, settings: ScoringSettings(importanceSamples: 0, seed: 1, codeGaussian: wrongGaussian))
        }
        #expect(throws: EvaluationError.self) {
            try scoreImages(model: model, images: Tensor(shape: [2, 1, 27, 27]), settings: ScoringSettings(importanceSamples: 0, seed: 1))
        }
        #expect(throws: EvaluationError.self) {
            try scoreImages(model: model, images: Tensor(shape: [1, 1, 28, 28], repeating: 2), settings: ScoringSettings(importanceSamples: 0, seed: 1))
        }
    }

    // MARK: The score table

    @Test func theCSVHasOneRowPerImageAndReadsBack() throws {
        let model = try Self.smallModel()
        let settings = ScoringSettings(importanceSamples: 4, seed: 9)
        let a = ScoredSet(name: "in", labels: [0, 1, 2], scores: try scoreImages(model: model, images: Self.images(3, seed: 1), settings: settings), entropy: 500)
        let b = ScoredSet(name: "out", labels: [5, 6], scores: try scoreImages(model: model, images: Self.images(2, seed: 2), settings: settings), entropy: 500)
        let text = try ScoreReport.csv([a, b])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "set,index,label,neg-elbo,iw-nll,reconstruction,kl,complexity,typicality,deflate-bits")
        #expect(lines.count == 6)
        let row = lines[4].split(separator: ",").map(String.init)          // out, image 0
        #expect(row[0] == "out" && row[1] == "0" && row[2] == "5")
        #expect(Double(row[3]) == b.scores.negativeELBO[0], "a value reads back as the same Double")
        #expect(Double(row[8]) == abs(b.scores.negativeLogLikelihood[0] - 500))

        let detection = try ScoreReport.detection(in: a, out: b, batchSizes: [1, 2])
        #expect(detection.map(\.name) == ["neg-elbo", "iw-nll", "reconstruction", "kl", "complexity", "typicality-m1", "typicality-m2"])
        #expect(detection[0].metrics == (try DetectionMetrics(inScores: a.scores.negativeELBO, outScores: b.scores.negativeELBO)))
        #expect(throws: AnomalyError.self) { try ScoreReport.detection(in: a, out: b, batchSizes: [5]) }   // 3 images, batch 5
    }

    @Test func theScoreTableRefusesWhatItCannotWrite() throws {
        let model = try Self.smallModel()
        let scores = try scoreImages(model: model, images: Self.images(2, seed: 1), settings: ScoringSettings(importanceSamples: 2, seed: 1))
        #expect(throws: AnomalyError.self) { try ScoreReport.csv([]) }
        #expect(throws: AnomalyError.self) { try ScoreReport.csv([ScoredSet(name: "a,b", labels: [0, 0], scores: scores)]) }
        #expect(throws: AnomalyError.self) { try ScoreReport.csv([ScoredSet(name: "in", labels: [0, 0, 0], scores: scores)]) }
        let cheap = try scoreImages(model: model, images: Self.images(2, seed: 1), settings: ScoringSettings(importanceSamples: 0, seed: 1))
        #expect(throws: AnomalyError.self) {
            try ScoreReport.csv([ScoredSet(name: "in", labels: [0, 0], scores: scores), ScoredSet(name: "out", labels: [0, 0], scores: cheap)])
        }
        #expect(throws: AnomalyError.self) {
            try ScoreReport.detection(in: ScoredSet(name: "in", labels: [0, 0], scores: scores), out: ScoredSet(name: "out", labels: [0, 0], scores: cheap))
        }
        let gaussian = VAEConfiguration(latentDimensions: 3, likelihood: Likelihood(.gaussian, sigma: 0.1))
        #expect(throws: AnomalyError.self) { try ScoreReport.checkBackground(gaussian, for: VAEConfiguration(latentDimensions: 3)) }
        #expect(throws: AnomalyError.self) {
            try ScoreReport.checkBackground(VAEConfiguration(latentDimensions: 3, classCount: 10), for: VAEConfiguration(latentDimensions: 3))
        }
        try ScoreReport.checkBackground(VAEConfiguration(latentDimensions: 8), for: VAEConfiguration(latentDimensions: 3))
    }

    // MARK: What `vae score` is asked to read and write

    @Test func scoreInputsRefuseWhatCannotWork() throws {
        try DataFiles.withFolder { folder in
            let a = folder.appendingPathComponent("a"), b = folder.appendingPathComponent("b")
            try FileManager.default.createDirectory(at: a, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: b, withIntermediateDirectories: true)
            #expect(try ScoreInputs.sets(data: a.path, in: nil, out: nil) == .one(URL(fileURLWithPath: a.path, isDirectory: true)))
            #expect(try ScoreInputs.sets(data: nil, in: a.path, out: b.path)
                    == .pair(in: URL(fileURLWithPath: a.path, isDirectory: true), out: URL(fileURLWithPath: b.path, isDirectory: true)))
            #expect(throws: AnomalyError("give the images to score: --data DIR, or --in DIR and --out DIR")) {
                try ScoreInputs.sets(data: nil, in: nil, out: nil)
            }
            #expect(throws: AnomalyError("--data scores one set, --in and --out compare two: give one form, not both")) {
                try ScoreInputs.sets(data: a.path, in: a.path, out: b.path)
            }
            #expect(throws: AnomalyError("--in needs --out: the AUROC compares the in-distribution set with another")) {
                try ScoreInputs.sets(data: nil, in: a.path, out: nil)
            }
            #expect(throws: AnomalyError.self) { try ScoreInputs.sets(data: nil, in: nil, out: b.path) }
            let missing = folder.appendingPathComponent("none").path
            #expect(throws: AnomalyError("--in \(missing): there is no such folder")) { try ScoreInputs.sets(data: nil, in: missing, out: b.path) }
            let file = folder.appendingPathComponent("file.csv")
            try Data("x".utf8).write(to: file)
            #expect(throws: AnomalyError.self) { try ScoreInputs.sets(data: file.path, in: nil, out: nil) }
            #expect(throws: AnomalyError.self) { try ScoreInputs.folder("", role: "--train") }

            // The table: a folder is refused, a file under a file too, an existing file is fine.
            #expect(throws: AnomalyError.self) { try ScoreInputs.output(a.path) }
            #expect(throws: AnomalyError.self) { try ScoreInputs.output("") }
            #expect(throws: AtomicFileError.self) { try ScoreInputs.output(file.appendingPathComponent("scores.csv").path) }
            #expect(try ScoreInputs.output(file.path) == URL(fileURLWithPath: file.path))
            let nested = folder.appendingPathComponent("new/deeper/scores.csv")
            #expect(try ScoreInputs.output(nested.path) == nested)
            #expect(FileManager.default.fileExists(atPath: nested.deletingLastPathComponent().path), "its folder is made ready")
        }
    }
}
