import Foundation

/// What `vae score` is asked to read and write, checked before anything is loaded, with errors
/// in words: which sets to score, that each is a folder, and that the table can be written.
public enum ScoreInputs {
    /// The sets to score: one folder, or an in and an out folder to compare.
    public enum Sets: Equatable, Sendable {
        case one(URL)
        case pair(in: URL, out: URL)
    }

    /// The sets asked for by `--data`, `--in` and `--out`.
    /// - Throws: `AnomalyError` unless exactly one of the two forms is given, with existing folders.
    public static func sets(data: String?, in inPath: String?, out outPath: String?) throws -> Sets {
        switch (data, inPath, outPath) {
        case (let data?, nil, nil):
            return .one(try folder(data, role: "--data"))
        case (nil, let i?, let o?):
            return .pair(in: try folder(i, role: "--in"), out: try folder(o, role: "--out"))
        case (nil, nil, nil):
            throw AnomalyError("give the images to score: --data DIR, or --in DIR and --out DIR")
        case (_?, _, _):
            throw AnomalyError("--data scores one set, --in and --out compare two: give one form, not both")
        case (nil, _?, nil):
            throw AnomalyError("--in needs --out: the AUROC compares the in-distribution set with another")
        case (nil, nil, _?):
            throw AnomalyError("--out needs --in: the AUROC compares the out-of-distribution set with the in-distribution one")
        }
    }

    /// `path` as a folder URL.
    /// - Throws: `AnomalyError` for an empty path, a path that does not exist or is a file.
    public static func folder(_ path: String, role: String) throws -> URL {
        guard !path.isEmpty else { throw AnomalyError("\(role) needs a folder, not an empty path") }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw AnomalyError("\(role) \(path): there is no such folder")
        }
        guard isFolder.boolValue else {
            throw AnomalyError("\(role) \(path) is a file; it must be a folder of IDX files in MNIST's naming (t10k-images-idx3-ubyte.gz, ...)")
        }
        return URL(fileURLWithPath: path, isDirectory: true)
    }

    /// The file the score table goes to, its folder created and checked writable.
    /// - Throws: `AnomalyError` for an empty path or a path that is a folder; `AtomicFileError`
    ///   when its folder lies under a file or cannot be written.
    public static func output(_ path: String) throws -> URL {
        guard !path.isEmpty else { throw AnomalyError("--output needs a file name, not an empty path") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw AnomalyError("--output \(path) is a folder; name the CSV file to write (e.g. \(path)/scores.csv)")
        }
        let url = URL(fileURLWithPath: path)
        try WritableFolder.prepare(url.deletingLastPathComponent(), purpose: "output")
        return url
    }
}
