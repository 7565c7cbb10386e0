import Foundation

/// Which half of a data set: the 60,000 training images or the 10,000 test images.
public enum Split: String, Sendable, CaseIterable, Codable {
    case train, test

    /// The prefix of the split's file names in the MNIST distribution.
    var filePrefix: String {
        switch self {
        case .train: "train"
        case .test: "t10k"
        }
    }
}

/// The data sets that ship with the course, in `Sources/VAECore/Resources`.
public enum DatasetKind: String, Sendable, CaseIterable, Codable {
    /// Handwritten digits 0–9, both splits.
    case mnist
    /// Zalando's clothing images, both splits: the out-of-distribution set of a model trained on
    /// digits, and a training set of its own (chapter 10 trains on clothing and tests on digits).
    case fashionMNIST = "fashion-mnist"

    /// The folder that holds the bundled copy of this data set.
    ///
    /// SwiftPM copies the resources into `VAECourse_VAECore.resources` beside the executables;
    /// the checkout's `Sources/VAECore/Resources` is the fallback. We look for them ourselves
    /// rather than through `Bundle.module`, which traps when its bundle is missing: here a
    /// missing folder instead surfaces as `DataError.missing` naming the path, when loaded.
    public var bundledDirectory: URL {
        let bundleName = "VAECourse_VAECore.resources"
        let executableFolder = URL(fileURLWithPath: CommandLine.arguments.first ?? ".")
            .resolvingSymlinksInPath().deletingLastPathComponent()
        let sourceTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources").appendingPathComponent(rawValue)
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent(bundleName).appendingPathComponent(rawValue),
            executableFolder.appendingPathComponent(bundleName).appendingPathComponent(rawValue),
            sourceTree,
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) } ?? sourceTree
    }

    /// The splits present in the bundled copy.
    var bundledSplits: [Split] {
        switch self {
        case .mnist, .fashionMNIST: [.train, .test]
        }
    }

    /// A short name for each of the 10 labels.
    public var classNames: [String] {
        switch self {
        case .mnist: (0..<10).map(String.init)
        case .fashionMNIST: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                             "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        }
    }
}

/// A set of labelled grey images in MNIST's format: MNIST itself or Fashion-MNIST.
///
/// `images` holds one channel per image, as (N, 1, H, W) with H = W = 28 for both sets, each
/// pixel as a `Float` in [0, 1] (the stored byte divided by 255). The model reads each pixel as
/// the probability that a binary pixel is on (see `binarized(seed:)` and `BatchIterator`).
///
///     let train = try MNIST.load(split: .train)                         // the bundled copy
///     let test  = try MNIST.load(split: .test, from: URL(fileURLWithPath: dataDir))
///     let ood   = try MNIST.load(.fashionMNIST, split: .test)
public struct MNIST: Sendable {
    /// The images, (N, 1, H, W), pixels in [0, 1].
    public var images: Tensor { didSet { digest = DigestCache() } }
    /// The class of each image, 0..<10.
    public var labels: [UInt8] { didSet { digest = DigestCache() } }
    /// `contentDigest` once computed, shared by the copies of this value (a chapter that reuses
    /// many runs of one training set hashes it once); a copy that changes its images or labels
    /// gets a fresh, empty one.
    var digest = DigestCache()

    /// The number of classes of both MNIST and Fashion-MNIST.
    public static let classCount = 10

    /// The number of images.
    public var count: Int { labels.count }
    /// Rows of each image.
    public var height: Int { images.shape[2] }
    /// Columns of each image.
    public var width: Int { images.shape[3] }
    /// Pixels per image, H·W.
    public var pixelsPerImage: Int { height * width }

    /// A data set from images (N, 1, H, W) and N labels.
    public init(images: Tensor, labels: [UInt8]) {
        precondition(images.rank == 4 && images.shape[1] == 1 && images.shape[0] == labels.count,
                     "MNIST needs images (N, 1, H, W) and N labels, got \(images.shape) and \(labels.count)")
        self.images = images
        self.labels = labels
    }

    /// The IDX file names of `split` in the MNIST distribution, without `.gz`.
    static func fileNames(_ split: Split) -> (images: String, labels: String) {
        ("\(split.filePrefix)-images-idx3-ubyte", "\(split.filePrefix)-labels-idx1-ubyte")
    }

    /// The bundled MNIST folder: the default of every chapter's `--data`.
    public static var bundledDirectory: URL { DatasetKind.mnist.bundledDirectory }

    /// Loads `split` from `directory`, which holds the MNIST-named `.gz` files
    /// (`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, `t10k-…`), or the same files
    /// uncompressed (without `.gz`) where a `.gz` is missing.
    ///
    /// When the folder has a `SHA256SUMS.raw` and `verifyChecksums` is true, the decompressed
    /// content of both files must match it. Verification costs one SHA-256 pass over the data:
    /// measured in release, about 0.16 s of the 0.39 s it takes to load the training set, cheap
    /// enough to leave on by default.
    ///
    /// - Throws: `DataError` naming the bad file; never returns part of a data set.
    /// - Complexity: O(N·H·W): inflate, hash and convert each byte once.
    public static func load(split: Split, from directory: URL, verifyChecksums: Bool = true) throws(DataError) -> MNIST {
        let names = fileNames(split)
        let imagesURL = directory.appendingPathComponent(names.images + ".gz")
        let labelsURL = directory.appendingPathComponent(names.labels + ".gz")
        let checksums = verifyChecksums ? try ChecksumList.load(in: directory) : nil

        let imageFile = try IDXFile(gzipOrRaw: imagesURL, expectedMagic: IDXFile.imagesMagic, checksums: checksums)
        let labelFile = try IDXFile(gzipOrRaw: labelsURL, expectedMagic: IDXFile.labelsMagic, checksums: checksums)

        let (n, rows, columns) = (imageFile.dimensions[0], imageFile.dimensions[1], imageFile.dimensions[2])
        guard rows > 0, columns > 0 else {
            throw .sizeMismatch(file: imagesURL.path, detail: "images of \(rows)×\(columns) pixels")
        }
        let labelCount = labelFile.dimensions[0]
        guard n == labelCount else {
            throw .countMismatch(images: imagesURL.path, imageCount: n, labels: labelsURL.path, labelCount: labelCount)
        }
        let labels = Array(labelFile.bytes[labelFile.dataOffset...])
        if let bad = labels.firstIndex(where: { Int($0) >= classCount }) {
            throw .labelOutOfRange(file: labelsURL.path, index: bad, value: labels[bad], classCount: classCount)
        }
        return MNIST(images: pixelsToUnitFloats(imageFile, shape: [n, 1, rows, columns]), labels: labels)
    }

    /// Loads `split` of a bundled data set.
    /// - Throws: `DataError.missing` for a split that is not bundled (Fashion-MNIST's train).
    public static func load(_ kind: DatasetKind = .mnist, split: Split, verifyChecksums: Bool = true) throws(DataError) -> MNIST {
        try load(split: split, from: kind.bundledDirectory, verifyChecksums: verifyChecksums)
    }

    /// The first `n` images and labels (all of them when `n` ≥ `count`): small runs and tests.
    public func prefix(_ n: Int) -> MNIST {
        let k = max(0, min(n, count))
        let size = pixelsPerImage
        return MNIST(images: Tensor(shape: [k, 1, height, width], scalars: Array(images.scalars[..<(k * size)])),
                     labels: Array(labels[..<k]))
    }
}

/// The IDX bytes as floats in [0, 1]: byte / 255, through a 256-entry table.
private func pixelsToUnitFloats(_ file: IDXFile, shape: [Int]) -> Tensor {
    var table = [Float](repeating: 0, count: 256)
    for value in 0..<256 { table[value] = Float(value) / 255 }
    var tensor = Tensor(shape: shape)
    file.bytes.withUnsafeBufferPointer { bytes in
        table.withUnsafeBufferPointer { table in
            tensor.withUnsafeMutableBufferPointer { out in
                let source = bytes.baseAddress! + file.dataOffset
                for i in 0..<out.count { out[i] = table[Int(source[i])] }
            }
        }
    }
    return tensor
}
