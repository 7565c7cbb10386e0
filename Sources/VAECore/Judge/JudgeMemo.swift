import Foundation

/// The judge's verdicts on images it has judged before, kept on disk beside its checkpoint, so
/// that a chapter run again with its trained runs reused does not pass the same 10,000 generated
/// digits through the classifier again.
///
/// A verdict is the pair `DigitClassifier.evaluate` returns (features and probabilities), filed
/// under the SHA-256 of the judge's weights (every parameter and running statistic, bit for bit),
/// the images' shape and bytes, and the chunk size of the pass. A memo is therefore exactly what
/// the pass would compute again: the same weights on the same images in the same chunks give the
/// same bits (the pass draws nothing at random), and any other judge or any changed pixel files
/// under another name. What it cannot see: a change to the classifier's arithmetic itself (a new
/// kernel that rounds otherwise); such a change raises `RunFingerprint.numericsVersion`, which is
/// part of the name too.
///
/// A memo file that cannot be read, or holds other shapes, is computed again and replaced. Memos
/// of a judge that is later retrained stay on disk unused (delete the `judged` folder to reclaim
/// them: about 5 MB per 10,000 images).
struct JudgeMemo {
    /// The folder of the memo files: `judged/` beside the judge's checkpoint.
    let folder: URL
    /// The SHA-256 of the judge's weights and running statistics.
    let weights: String

    /// The memo of `classifier`, whose checkpoint is `checkpoint`.
    init(of classifier: DigitClassifier, checkpoint: URL) {
        folder = checkpoint.deletingLastPathComponent().appendingPathComponent("judged", isDirectory: true)
            .appendingPathComponent(checkpoint.deletingPathExtension().lastPathComponent, isDirectory: true)
        var hash = SHA256()
        for entry in classifier.stateDict() {
            hash.update(Array("\(entry.name) \(entry.tensor.shape)\n".utf8))
            entry.tensor.scalars.withUnsafeBytes { hash.update($0) }
        }
        weights = hash.finalize().hex
    }

    /// The file of the verdict on `images` judged `chunk` at a time.
    func file(images: Tensor, chunk: Int) -> URL {
        var hash = SHA256()
        hash.update(Array("judge \(weights)\nnumerics \(RunFingerprint.numericsVersion)\nchunk \(chunk)\nimages \(images.shape)\n".utf8))
        images.scalars.withUnsafeBytes { hash.update($0) }
        return folder.appendingPathComponent(hash.finalize().hex + ".safetensors")
    }

    /// The verdict kept in `file`, when it is there and has the shapes asked for.
    func read(_ file: URL, images: Int, features: Int, classes: Int) -> (features: Tensor, probabilities: Tensor)? {
        guard FileManager.default.fileExists(atPath: file.path),
              let stored = try? SafeTensors.read(from: file),
              let f = stored["features"], f.shape == [images, features],
              let p = stored["probabilities"], p.shape == [images, classes] else { return nil }
        return (f, p)
    }

    /// Keeps a verdict in `file`. A memo that cannot be written is only a verdict computed again
    /// next time, so a failure here does not stop the chapter.
    func write(_ file: URL, features: Tensor, probabilities: Tensor) {
        let memo = SafeTensors(entries: [.init(name: "features", tensor: features), .init(name: "probabilities", tensor: probabilities)],
                               metadata: ["format": "vae-course judge memo", "judge": weights])
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try memo.write(to: file)
        } catch {
            FileHandle.standardError.write(Data("note: the judge's verdict could not be kept in \(file.path) (\(error)); it will be computed again next time\n".utf8))
        }
    }
}
