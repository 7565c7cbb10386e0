import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The gzip + IDX loader on small files written here, good and bad.
@Suite struct IDXTests {
    typealias F = DataFiles

    // MARK: Good files

    @Test func goodFilesLoad() throws {
        try F.withFolder { folder in
            try F.writeGoodSplit(in: folder, count: 5, rows: 3, columns: 4)
            let data = try MNIST.load(split: .test, from: folder)
            let (pixels, labels) = F.sample(count: 5, rows: 3, columns: 4)
            #expect(data.images.shape == [5, 1, 3, 4])
            #expect(data.count == 5 && data.height == 3 && data.width == 4)
            #expect(data.labels == labels)
            #expect(data.images.scalars == pixels.map { Float($0) / 255 })
            #expect(data.images.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }

    @Test func pixelScaleEndsAtZeroAndOne() throws {
        try F.withFolder { folder in
            let images = F.idx(magic: IDXFile.imagesMagic, dimensions: [1, 1, 3], payload: [0, 128, 255])
            try F.write(F.gzip(images), "t10k-images-idx3-ubyte.gz", in: folder)
            try F.write(F.gzip(F.idx(magic: IDXFile.labelsMagic, dimensions: [1], payload: [9])),
                        "t10k-labels-idx1-ubyte.gz", in: folder)
            let data = try MNIST.load(split: .test, from: folder)
            #expect(data.images.scalars == [0, Float(128) / 255, 1])
        }
    }

    @Test func gzipRoundTripOfEveryLevel() throws {
        var random = RandomSource(seed: 3)
        let content = (0..<100_000).map { i in UInt8(truncatingIfNeeded: i % 97 == 0 ? random.next() : UInt64(i / 1000)) }
        for level: Int32 in [0, 1, 6, 9] {
            #expect(try Gzip.decompress(F.gzip(content, level: level)) == content)
        }
        #expect(try Gzip.decompress(F.gzip([])) == [])
    }

    /// Concatenated members decompress to the concatenated contents. The last member is tiny,
    /// so its ISIZE hint is far too small and the output buffer must grow.
    @Test func multipleMembersAndAWrongSizeHint() throws {
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 511) }
        let small: [UInt8] = [1, 2, 3]
        #expect(try Gzip.decompress(F.gzip(big) + F.gzip(small)) == big + small)
    }

    // MARK: Bad files

    @Test func missingFile() throws {
        try F.withFolder { folder in
            let error = expectDataError({ _ = try MNIST.load(split: .train, from: folder) }) {
                if case .missing = $0 { true } else { false }
            }
            #expect(error?.description.contains("train-images-idx3-ubyte.gz") == true)
            // The labels alone missing.
            try F.writeGoodSplit(in: folder)
            try FileManager.default.removeItem(at: folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
            let labels = expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                if case .missing(let file) = $0 { file.hasSuffix("t10k-labels-idx1-ubyte.gz") } else { false }
            }
            #expect(labels != nil)
        }
    }

    @Test func missingFolder() {
        let nowhere = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)")
        expectDataError({ _ = try MNIST.load(split: .test, from: nowhere) }) {
            if case .missing = $0 { true } else { false }
        }
    }

    @Test func emptyFile() throws {
        try F.withFolder { folder in
            try F.writeGoodSplit(in: folder)
            try F.write([], "t10k-images-idx3-ubyte.gz", in: folder)
            let error = expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                if case .empty(let file) = $0 { file.hasSuffix("t10k-images-idx3-ubyte.gz") } else { false }
            }
            #expect(error?.description.contains("empty") == true)
        }
    }

    /// Cut anywhere (inside the header, the deflate data or the 8-byte trailer): `truncated`.
    @Test func truncatedGzip() throws {
        try F.withFolder { folder in
            let (images, _) = try F.writeGoodSplit(in: folder, count: 50, rows: 8, columns: 8)
            let whole = F.gzip(images)
            for keep in [1, 5, 12, 20, whole.count / 2, whole.count - 8, whole.count - 3, whole.count - 1] {
                try F.write(Array(whole[..<keep]), "t10k-images-idx3-ubyte.gz", in: folder)
                expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                    if case .truncated(let file, _) = $0 { file.hasSuffix("t10k-images-idx3-ubyte.gz") } else { false }
                }
            }
        }
    }

    /// A flipped bit in the CRC-32 trailer, or trailing junk: `corrupt`.
    @Test func corruptGzip() throws {
        let content = F.idx(magic: IDXFile.labelsMagic, dimensions: [3], payload: [1, 2, 3])
        var badCRC = F.gzip(content)
        badCRC[badCRC.count - 8] ^= 1
        expectDataError({ _ = try Gzip.decompress(badCRC, file: "x.gz") }) {
            if case .corrupt("x.gz", _) = $0 { true } else { false }
        }
        expectDataError({ _ = try Gzip.decompress(F.gzip(content) + [0, 0, 7], file: "x.gz") }) {
            if case .corrupt = $0 { true } else { false }
        }
    }

    @Test func notGzip() throws {
        try F.withFolder { folder in
            let (images, _) = try F.writeGoodSplit(in: folder)
            try F.write(images, "t10k-images-idx3-ubyte.gz", in: folder)  // uncompressed IDX
            expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                if case .notGzip(let file) = $0 { file.hasSuffix("t10k-images-idx3-ubyte.gz") } else { false }
            }
        }
    }

    @Test func wrongMagic() throws {
        try F.withFolder { folder in
            let (_, labels) = try F.writeGoodSplit(in: folder)
            // A labels file where the images should be.
            try F.write(F.gzip(labels), "t10k-images-idx3-ubyte.gz", in: folder)
            let error = expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                $0 == .wrongMagic(file: folder.appendingPathComponent("t10k-images-idx3-ubyte.gz").path,
                                  expected: 0x803, found: 0x801)
            }
            #expect(error?.description.contains("0x00000801") == true)
            // Images with 16-bit elements (type 0x0B).
            let (pixels, _) = F.sample()
            try F.write(F.gzip(F.idx(magic: 0x0B03, dimensions: [5, 3, 4], payload: pixels)),
                        "t10k-images-idx3-ubyte.gz", in: folder)
            expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                if case .wrongMagic(_, 0x803, 0x0B03) = $0 { true } else { false }
            }
        }
    }

    /// Data shorter than the header says is `truncated`; longer is `sizeMismatch`.
    @Test func headerSizesDisagreeWithData() throws {
        try F.withFolder { folder in
            try F.writeGoodSplit(in: folder, count: 5, rows: 3, columns: 4)
            let (pixels, _) = F.sample(count: 5, rows: 3, columns: 4)
            // The header promises 6 images; there are 5.
            try F.write(F.gzip(F.idx(magic: IDXFile.imagesMagic, dimensions: [6, 3, 4], payload: pixels)),
                        "t10k-images-idx3-ubyte.gz", in: folder)
            expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                if case .truncated(_, let detail) = $0 { detail.contains("72") && detail.contains("60") } else { false }
            }
            // The header promises 4 images; there are 5.
            try F.write(F.gzip(F.idx(magic: IDXFile.imagesMagic, dimensions: [4, 3, 4], payload: pixels)),
                        "t10k-images-idx3-ubyte.gz", in: folder)
            expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                if case .sizeMismatch = $0 { true } else { false }
            }
            // The header itself is cut short.
            try F.write(F.gzip(Array(F.idx(magic: IDXFile.imagesMagic, dimensions: [5, 3, 4], payload: [])[..<10])),
                        "t10k-images-idx3-ubyte.gz", in: folder)
            expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                if case .truncated = $0 { true } else { false }
            }
            // Images of 0 columns.
            try F.write(F.gzip(F.idx(magic: IDXFile.imagesMagic, dimensions: [5, 3, 0], payload: [])),
                        "t10k-images-idx3-ubyte.gz", in: folder)
            expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                if case .sizeMismatch = $0 { true } else { false }
            }
        }
    }

    @Test func imageAndLabelCountsDisagree() throws {
        try F.withFolder { folder in
            try F.writeGoodSplit(in: folder, count: 5)
            try F.write(F.gzip(F.idx(magic: IDXFile.labelsMagic, dimensions: [4], payload: [0, 1, 2, 3])),
                        "t10k-labels-idx1-ubyte.gz", in: folder)
            expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                if case .countMismatch(_, 5, _, 4) = $0 { true } else { false }
            }
        }
    }

    @Test func labelOutOfRange() throws {
        try F.withFolder { folder in
            try F.writeGoodSplit(in: folder, count: 5)
            try F.write(F.gzip(F.idx(magic: IDXFile.labelsMagic, dimensions: [5], payload: [0, 1, 10, 3, 4])),
                        "t10k-labels-idx1-ubyte.gz", in: folder)
            expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                if case .labelOutOfRange(_, 2, 10, 10) = $0 { true } else { false }
            }
        }
    }

    // MARK: Checksums

    @Test func checksumsAreVerified() throws {
        try F.withFolder { folder in
            let (images, labels) = try F.writeGoodSplit(in: folder)
            let sums = F.checksumLine(images, "t10k-images-idx3-ubyte") + F.checksumLine(labels, "t10k-labels-idx1-ubyte")
            try F.write(Array(sums.utf8), ChecksumList.fileName, in: folder)
            #expect(try MNIST.load(split: .test, from: folder).count == 5)

            // One changed pixel in a well-formed file.
            var changed = images
            changed[changed.count - 1] ^= 0x40
            try F.write(F.gzip(changed), "t10k-images-idx3-ubyte.gz", in: folder)
            let error = expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                if case .checksumMismatch(let file, let expected, let actual) = $0 {
                    file.hasSuffix("t10k-images-idx3-ubyte.gz") && expected == SHA256.hash(images).hex
                        && actual == SHA256.hash(changed).hex
                } else { false }
            }
            #expect(error?.description.contains("SHA-256") == true)
            // Verification can be switched off.
            #expect(try MNIST.load(split: .test, from: folder, verifyChecksums: false).count == 5)
        }
    }

    @Test func checksumListProblems() throws {
        try F.withFolder { folder in
            let (images, labels) = try F.writeGoodSplit(in: folder)
            // The labels have no entry.
            try F.write(Array(F.checksumLine(images, "t10k-images-idx3-ubyte").utf8), ChecksumList.fileName, in: folder)
            expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                if case .checksumMissing(let file, _) = $0 { file.hasSuffix("t10k-labels-idx1-ubyte.gz") } else { false }
            }
            // A wrong size.
            let wrongSize = F.checksumLine(images, "t10k-images-idx3-ubyte")
                + "\(SHA256.hash(labels).hex)  t10k-labels-idx1-ubyte  (999 bytes uncompressed)\n"
            try F.write(Array(wrongSize.utf8), ChecksumList.fileName, in: folder)
            expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                $0 == .checksumSizeMismatch(file: folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path,
                                            expected: 999, actual: labels.count)
            }
            // A malformed line.
            try F.write(Array("abc  t10k-images-idx3-ubyte\n".utf8), ChecksumList.fileName, in: folder)
            expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                if case .malformedChecksumList(_, 1, _) = $0 { true } else { false }
            }
        }
    }

    @Test func checksumListParsesTheBundledFormat() throws {
        let text = """
            0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte  (7840016 bytes uncompressed)
            ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte  (10008 bytes uncompressed)

            """
        let list = try ChecksumList(parsing: text, source: "SUMS")
        #expect(list.entries.count == 2)
        #expect(list.entries["t10k-labels-idx1-ubyte"]
                == .init(sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", size: 10008))
    }
}

/// The real data sets bundled with VAECore.
@Suite struct BundledDataTests {
    /// Loaded once for the whole suite: the training set is 47 MB uncompressed.
    static let train = Result { () throws(DataError) in try MNIST.load(split: .train) }
    static let test = Result { () throws(DataError) in try MNIST.load(split: .test) }

    @Test func bundledFoldersHaveTheirFiles() {
        for kind in DatasetKind.allCases {
            let folder = kind.bundledDirectory
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(ChecksumList.fileName).path),
                    "\(folder.path) has no SHA256SUMS.raw, so its files would not be verified")
            for split in kind.bundledSplits {
                let names = MNIST.fileNames(split)
                #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(names.images + ".gz").path))
            }
        }
        #expect(MNIST.bundledDirectory == DatasetKind.mnist.bundledDirectory)
    }

    @Test func mnistTrain() throws {
        let train = try Self.train.get()
        #expect(train.images.shape == [60_000, 1, 28, 28])
        #expect(train.labels.count == 60_000)
        let histogram = Self.histogram(train.labels)
        // The published class counts of MNIST's training set.
        #expect(histogram == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        // The mean pixel everyone normalises by: 0.1307.
        let mean = train.images.scalars.reduce(0.0) { $0 + Double($1) } / Double(train.images.count)
        #expect(abs(mean - 0.1307) < 0.0001, "mean pixel \(mean)")
        #expect(train.images.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test func mnistTest() throws {
        let test = try Self.test.get()
        #expect(test.images.shape == [10_000, 1, 28, 28])
        #expect(Self.histogram(test.labels) == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    }

    @Test func fashionMNISTTest() throws {
        let fashion = try MNIST.load(.fashionMNIST, split: .test)
        #expect(fashion.images.shape == [10_000, 1, 28, 28])
        #expect(Self.histogram(fashion.labels) == Array(repeating: 1000, count: 10))
    }

    @Test func fashionMNISTTrain() throws {
        let fashion = try MNIST.load(.fashionMNIST, split: .train)
        #expect(fashion.images.shape == [60_000, 1, 28, 28])
        // Fashion-MNIST's training split is balanced: 6,000 images of each class.
        #expect(Self.histogram(fashion.labels) == Array(repeating: 6000, count: 10))
    }

    /// A copy of the bundled test split with one byte of the images changed fails its checksum.
    @Test func tamperedCopyFailsItsChecksum() throws {
        try DataFiles.withFolder { folder in
            let bundled = MNIST.bundledDirectory
            for name in ["t10k-labels-idx1-ubyte.gz", ChecksumList.fileName] {
                try FileManager.default.copyItem(at: bundled.appendingPathComponent(name), to: folder.appendingPathComponent(name))
            }
            var content = try Gzip.decompress(Array(Data(contentsOf: bundled.appendingPathComponent("t10k-images-idx3-ubyte.gz"))))
            content[5000] &+= 1
            try DataFiles.write(DataFiles.gzip(content, level: 1), "t10k-images-idx3-ubyte.gz", in: folder)
            expectDataError({ _ = try MNIST.load(split: .test, from: folder) }) {
                if case .checksumMismatch = $0 { true } else { false }
            }
        }
    }

    /// The fixed binary test set: 0/1 only, the same for the same seed, mean ≈ the grey mean.
    @Test func binarizedTestSet() throws {
        let test = try Self.test.get()
        let a = test.binarized(seed: 2024), b = test.binarized(seed: 2024), c = test.binarized(seed: 2025)
        #expect(a.images == b.images && a.labels == test.labels)
        #expect(a.images != c.images)
        #expect(a.images.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        // E[x_bin] = x; the variance of the mean is Σ x(1−x) / n².
        let n = Double(test.images.count)
        let grey = test.images.scalars.reduce(0.0) { $0 + Double($1) } / n
        let variance = test.images.scalars.reduce(0.0) { $0 + Double($1) * (1 - Double($1)) } / (n * n)
        let binary = a.images.scalars.reduce(0.0) { $0 + Double($1) } / n
        #expect(abs(binary - grey) < 5 * variance.squareRoot(), "binary mean \(binary), grey mean \(grey)")
        // Pixels that are exactly 0 or 1 stay so.
        for (x, bit) in zip(test.images.scalars, a.images.scalars) where x == 0 || x == 1 {
            if x != bit { Issue.record("pixel \(x) binarized to \(bit)"); break }
        }
    }

    static func histogram(_ labels: [UInt8]) -> [Int] {
        var counts = [Int](repeating: 0, count: 10)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }
}
