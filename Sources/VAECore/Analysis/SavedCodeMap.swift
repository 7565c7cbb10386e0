/// A 2-D map of a run's test codes, kept beside the run (in its `RunMeasurements`) so that a
/// later program can show it without computing it again: chapter 8 keeps its t-SNE of chapter
/// 5's test codes, and `vae explore` shows it beside its own PCA.
///
/// The points are those of the first `labels.count` images of the binarized test set
/// (`Likelihood.evaluationSet`), in order: point i is test image i.
public struct SavedCodeMap: Codable, Equatable, Sendable {
    /// How the map was made, in words: "t-SNE, perplexity 30, 1000 steps, seed 82".
    public var method: String
    /// The digit of each point.
    public var labels: [Int]
    /// x₀, y₀, x₁, y₁, …: two coordinates per point.
    public var points: [Float]

    public init(method: String, labels: [Int], points: [Float]) {
        precondition(points.count == 2 * labels.count, "a map needs two coordinates per label")
        self.method = method; self.labels = labels; self.points = points
    }

    /// The start of every saved map's name in `RunMeasurements`.
    public static let namePrefix = "map "

    /// The name a t-SNE map is saved under: everything it depends on besides the weights.
    public static func tsneName(points: Int, perplexity: Double, iterations: Int, seed: UInt64) -> String {
        "\(namePrefix)tsne points=\(points) perplexity=\(perplexity) iterations=\(iterations) seed=\(seed)"
    }
}
