import Foundation
import Testing
@testable import Explorer
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics

/// Opening a run: chapter 8's saved t-SNE map found beside it, and the out-of-distribution
/// reference.
@Suite struct SessionTests {
    @Test func aSavedMapIsShownWhenItFits() throws {
        let folder = Fixture.folder("map")
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoint = try Fixture.train(classes: 0, labelCentres: false, into: folder)
        let test = try Fixture.testImages()
        let fingerprint = try #require(try Checkpoint.read(from: checkpoint).fingerprint)
        let measurements = RunMeasurements(folder: folder, fingerprint: fingerprint)

        let without = try ExplorerSession.open(checkpoint: checkpoint, testSet: test)
        #expect(without.savedMap == nil && without.savedMapNote?.contains("chapter 8") == true)

        let labels = test.labels.prefix(100).map(Int.init)
        let points = (0..<200).map { Float($0) }
        let map = SavedCodeMap(method: "t-SNE, test", labels: labels, points: points)
        _ = try measurements.value(SavedCodeMap.tsneName(points: 100, perplexity: 30, iterations: 10, seed: 1)) { map }
        #expect(measurements.saved(SavedCodeMap.tsneName(points: 100, perplexity: 30, iterations: 10, seed: 1), as: SavedCodeMap.self) == map)
        let with = try ExplorerSession.open(checkpoint: checkpoint, testSet: test)
        #expect(with.savedMap == map && with.savedMapNote == nil)
        let routes = ExplorerRoutes(session: with, assets: try Fixture.assets.get())
        #expect((routes.get("/api/map").object["tsne"] as? [Double])?.count == 200)
        #expect(routes.get("/api/info").object["tsne"] as? String == "t-SNE, test")

        // A map of other test images (other labels) is not shown as if it were of these.
        let shuffled = SavedCodeMap(method: "t-SNE, other", labels: Array(labels.reversed()) + [0], points: points + [0, 0])
        _ = try measurements.value(SavedCodeMap.tsneName(points: 101, perplexity: 30, iterations: 10, seed: 1)) { shuffled }
        let refused = try ExplorerSession.open(checkpoint: checkpoint, testSet: test)
        #expect(refused.savedMap == nil && refused.savedMapNote?.contains("other test images") == true)
    }

    @Test func theThresholdIsATestQuantile() throws {
        let reference = try UnusualnessReference(scores: (1...200).map(Double.init).reversed(), quantile: 0.99)
        #expect(reference.threshold == 199)
        #expect(reference.percentile(of: 0) == 0 && reference.percentile(of: 100.5) == 0.5 && reference.percentile(of: 1000) == 1)
        #expect(throws: EvaluationError.self) { try UnusualnessReference(scores: [1, .nan]) }
    }
}
