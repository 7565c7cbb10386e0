import Foundation

/// The shape of the digit classifier that judges generated images: a small VGG-style conv net.
///
/// Each *stage* is two 3×3 convolutions with padding 1, the first keeping the size and the
/// second halving it (stride 2), each followed by BatchNorm and ReLU; then the last map is
/// flattened into a hidden fully connected layer (the *features* the Fréchet distance compares)
/// and a linear layer of class logits. The default, for 28×28 MNIST digits:
///
///     Conv(1→32, k3, p1)–BN–ReLU              28×28
///     Conv(32→32, k3, s2, p1)–BN–ReLU         28×28 → 14×14
///     Conv(32→64, k3, p1)–BN–ReLU             14×14
///     Conv(64→64, k3, s2, p1)–BN–ReLU         14×14 → 7×7
///     Flatten–Linear(3136→128)–ReLU           the 128 features
///     Linear(128→10)                          class logits
///
/// 468,010 parameters and 7.9 M multiply-adds per image forward. Strided convolutions
/// rather than pooling keep the net inside the layers the course already has.
public struct DigitClassifierArchitecture: Codable, Equatable, Sendable {
    /// The width of each stage (both its convolutions): one entry per halving of the image.
    var stageWidths: [Int]
    /// The size of the hidden layer: the feature vector of each image.
    public var featureCount: Int
    /// The number of classes.
    public var classCount: Int
    /// The side of the square single-channel input images.
    var imageSide: Int

    public init(stageWidths: [Int] = [32, 64], featureCount: Int = 128, classCount: Int = 10, imageSide: Int = 28) {
        self.stageWidths = stageWidths
        self.featureCount = featureCount
        self.classCount = classCount
        self.imageSide = imageSide
    }

    /// The course's judge of MNIST digits (the layout above).
    public static let standard = DigitClassifierArchitecture()

    /// The side of the last feature map: each stage maps s to ⌊(s + 2·1 − 3)/2⌋ + 1 = ⌈s/2⌉.
    var finalSide: Int { stageWidths.reduce(imageSide) { side, _ in (side - 1) / 2 + 1 } }

    /// The length of the flattened last map, C·H·W: the hidden layer's input.
    var flattenedCount: Int { (stageWidths.last ?? 1) * finalSide * finalSide }

    /// Throws when the net cannot be built.
    public func validate() throws {
        guard !stageWidths.isEmpty, stageWidths.count <= 4, stageWidths.allSatisfy({ $0 >= 1 }) else {
            throw DigitClassifierError.badArchitecture("1 to 4 stages of positive width are needed, got \(stageWidths)")
        }
        guard featureCount >= 1, classCount >= 2, imageSide >= 3 else {
            throw DigitClassifierError.badArchitecture(
                "need featureCount ≥ 1, classCount ≥ 2 and imageSide ≥ 3, got \(featureCount), \(classCount), \(imageSide)")
        }
    }
}

/// What can go wrong with the digit classifier and its checkpoint.
public enum DigitClassifierError: Error, CustomStringConvertible, Equatable {
    case badArchitecture(String)
    case badInput(String)
    case badCheckpoint(path: String, reason: String)
    case belowMinimumAccuracy(accuracy: Double, minimum: Double)
    case diverged(step: Int, loss: Double)

    public var description: String {
        switch self {
        case .badArchitecture(let why): "digit classifier: impossible architecture: \(why)"
        case .badInput(let why): "digit classifier: \(why)"
        case .badCheckpoint(let path, let why): "digit classifier checkpoint \(path) is unusable: \(why)"
        case .belowMinimumAccuracy(let accuracy, let minimum):
            String(format: "digit classifier reached only %.2f%% test accuracy, below the %.2f%% a judge needs",
                   accuracy * 100, minimum * 100)
        case .diverged(let step, let loss):
            "digit classifier training diverged at update \(step) (loss \(loss)); lower the learning rate"
        }
    }
}
