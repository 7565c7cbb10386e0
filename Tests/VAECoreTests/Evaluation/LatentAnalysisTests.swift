import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The code-space analysis tools of chapter 8 (Sources/VAECore/Analysis): t-SNE's calibration
/// and gradient, the neighbourhood measures, slerp, image moments and the bootstrap.
@Suite struct LatentAnalysisTests {
    static func randomPoints(_ n: Int, _ d: Int, seed: UInt64) -> [Float] {
        var random = RandomSource(seed: seed)
        return (0..<(n * d)).map { _ in random.gaussian() }
    }

    @Test func fastDistancesMatchTheReference() throws {
        for (n, d) in [(7, 3), (33, 20), (20, 128)] {
            let points = Self.randomPoints(n, d, seed: UInt64(n))
            let fast = try pairwiseSquaredDistances(points, count: n, dimension: d)
            let reference = pairwiseSquaredDistancesReference(points, count: n, dimension: d)
            for (a, b) in zip(fast, reference) { #expect(abs(Double(a) - b) <= 1e-4 * max(1, b)) }
        }
    }

    @Test func perplexityCalibrationReachesTheTargetEntropy() throws {
        let n = 200
        let points = Self.randomPoints(n, 5, seed: 3)
        let distances = try pairwiseSquaredDistances(points, count: n, dimension: 5)
        for perplexity in [5.0, 30.0] {
            let affinities = try TSNEAffinities(squaredDistances: distances, count: n, perplexity: perplexity)
            for h in affinities.entropies { #expect(abs(h - log(perplexity)) < 1e-4) }
            let total = affinities.joint.reduce(0.0) { $0 + Double($1) }
            #expect(abs(total - 1) < 1e-4)
            for i in 0..<n { for j in 0..<n { #expect(affinities.joint[i * n + j] == affinities.joint[j * n + i]) } }
        }
        #expect(throws: AnalysisError.self) { try TSNEAffinities(squaredDistances: distances, count: n, perplexity: 500) }
    }

    @Test func fastGradientMatchesTheReference() throws {
        for n in [5, 37] {
            let points = Self.randomPoints(n, 4, seed: UInt64(n) + 10)
            let p = try TSNEAffinities(squaredDistances: try pairwiseSquaredDistances(points, count: n, dimension: 4),
                                       count: n, perplexity: 3)
            let y = Self.randomPoints(n, 2, seed: 99)
            let xs = (0..<n).map { y[2 * $0] }, ys = (0..<n).map { y[2 * $0 + 1] }
            var gx = [Float](repeating: 0, count: n), gy = gx
            tsneGradient(joint: p.joint, xs: xs, ys: ys, exaggeration: 4, gx: &gx, gy: &gy)
            let reference = tsneGradientReference(joint: p.joint, xs: xs, ys: ys, exaggeration: 4)
            for i in 0..<n {
                #expect(abs(Double(gx[i]) - reference.gx[i]) < 1e-5)
                #expect(abs(Double(gy[i]) - reference.gy[i]) < 1e-5)
            }
        }
    }

    @Test func tsneSeparatesClustersAndIsReproducible() throws {
        // Three well-separated Gaussian clusters in 10-D.
        var random = RandomSource(seed: 5)
        let n = 90, d = 10
        var points = [Float](), labels = [Int]()
        for i in 0..<n {
            let c = i % 3
            labels.append(c)
            for k in 0..<d { points.append(random.gaussian() + (k == c ? 20 : 0)) }
        }
        let distances = try pairwiseSquaredDistances(points, count: n, dimension: d)
        let p = try TSNEAffinities(squaredDistances: distances, count: n, perplexity: 10)
        var configuration = TSNEConfiguration(perplexity: 10, iterations: 300, seed: 2)
        configuration.exaggerationIterations = 100
        let map = try tsne(p, configuration: configuration)
        let again = try tsne(p, configuration: configuration)
        #expect(map.embedding == again.embedding)
        let mapDistances = try pairwiseSquaredDistances(map.embedding, count: n, dimension: 2)
        let agree = try nearestNeighbourAgreement(distances: mapDistances, labels: labels, neighbours: 5)
        #expect(agree.allSatisfy { $0 })
        #expect(try trustworthiness(original: distances, embedded: mapDistances, count: n, neighbours: 5).value > 0.9)
    }

    @Test func trustworthinessOfAnIdentityMapIsOne() throws {
        let n = 50
        let points = Self.randomPoints(n, 2, seed: 8)
        let distances = try pairwiseSquaredDistances(points, count: n, dimension: 2)
        let t = try trustworthiness(original: distances, embedded: distances, count: n, neighbours: 7)
        #expect(t.value == 1)
        #expect(t.perPoint.allSatisfy { $0 == 0 })
        // A random map is about 0.5.
        let other = try pairwiseSquaredDistances(Self.randomPoints(n, 2, seed: 9), count: n, dimension: 2)
        let random = try trustworthiness(original: distances, embedded: other, count: n, neighbours: 7).value
        #expect(random > 0.3 && random < 0.7)
        #expect(throws: AnalysisError.self) { try trustworthiness(original: distances, embedded: distances, count: n, neighbours: 40) }
    }

    @Test func nearestNeighbourAgreementCountsMajorities() throws {
        // On a line: 0 0 0 1 1 1 at positions 0…5. With k = 2 the point at 2 has neighbours 1 (label 0) and
        // 3 (label 1): a tie, won by the nearer... both at distance 1, so by order: index 1, label 0.
        let xs: [Float] = [0, 1, 2, 3, 4, 5]
        let labels = [0, 0, 0, 1, 1, 1]
        let distances = try pairwiseSquaredDistances(xs, count: 6, dimension: 1)
        let agree = try nearestNeighbourAgreement(distances: distances, labels: labels, neighbours: 2)
        #expect(agree == [true, true, true, false, true, true])
    }

    @Test func nearestRowsMatchABruteForceSearch() throws {
        let q = Tensor(shape: [6, 9], scalars: Self.randomPoints(6, 9, seed: 1))
        let r = Tensor(shape: [50, 9], scalars: Self.randomPoints(50, 9, seed: 2))
        let found = try nearestRows(queries: q, reference: r, chunk: 7)
        for i in 0..<6 {
            let distances = (0..<50).map { j in (0..<9).reduce(Float(0)) { $0 + pow(q.scalars[i * 9 + $1] - r.scalars[j * 9 + $1], 2) } }
            #expect(found.index[i] == distances.indices.min { distances[$0] < distances[$1] }!)
        }
    }

    @Test func slerpKeepsEndpointsAndNorm() {
        let a: [Float] = [3, 0, 0], b: [Float] = [0, 3, 0]
        #expect(slerp(a, b, 0).enumerated().allSatisfy { abs($0.element - a[$0.offset]) < 1e-6 })
        #expect(slerp(a, b, 1).enumerated().allSatisfy { abs($0.element - b[$0.offset]) < 1e-6 })
        let middle = slerp(a, b, 0.5)
        #expect(abs(middle.reduce(0) { $0 + $1 * $1 }.squareRoot() - 3) < 1e-5)
        #expect(abs(middle[0] - middle[1]) < 1e-6)
        // Parallel vectors fall back to the straight line.
        #expect(slerp([1, 1], [2, 2], 0.5) == [1.5, 1.5])
    }

    @Test func imageAttributesMeasureInkAndSlant() {
        // A vertical bar, and the same bar sheared to lean right (top to the right).
        var upright = [Float](repeating: 0, count: 784), leaning = upright
        for row in 4..<24 {
            upright[row * 28 + 14] = 1
            leaning[row * 28 + 14 + (14 - row) / 4] = 1
        }
        let a = imageAttributes(upright[...]), b = imageAttributes(leaning[...])
        #expect(a.ink == 20 && abs(a.slant) < 1e-9)
        #expect(b.slant > 0.15)
    }

    @Test func bootstrapIntervalCoversTheMean() throws {
        // For N(5, 1) samples of 200 the 95% interval of the mean should contain 5 in most seeds.
        var covered = 0
        for seed in 0..<40 {
            var random = RandomSource(seed: UInt64(seed) + 100)
            let values = (0..<200).map { _ in 5 + Double(random.gaussian()) }
            let interval = try BootstrapInterval(count: values.count, resamples: 300, seed: UInt64(seed)) { indices in
                indices.reduce(0.0) { $0 + values[$1] } / Double(indices.count)
            }
            #expect(interval.lower <= interval.estimate && interval.estimate <= interval.upper)
            // Its width is close to the normal theory's 2·1.96/√200 = 0.277.
            #expect(abs((interval.upper - interval.lower) - 0.277) < 0.08)
            if interval.lower <= 5 && 5 <= interval.upper { covered += 1 }
        }
        #expect(covered >= 33)
    }

    @Test func principalAxesFindTheLongDirection() throws {
        var random = RandomSource(seed: 4)
        var points = [Float]()
        for _ in 0..<500 {
            let t = 3 * random.gaussian(), s = 0.2 * random.gaussian()
            points += [t + s, t - s, 0.1 * random.gaussian()]
        }
        let pca = try PrincipalAxes(points: points, count: 500, dimension: 3)
        #expect(abs(abs(pca.axes[0][0]) - 0.7071) < 0.01)
        #expect(pca.explained(1) > 0.95)
    }
}
