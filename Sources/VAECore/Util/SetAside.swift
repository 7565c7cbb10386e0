import Foundation

/// Keeping a trained file that is not the one asked for: it is renamed beside the new one,
/// never overwritten (`TrainingRun`'s checkpoints, the digit classifier's).
enum SetAside {
    /// "<stem>-unfingerprinted-<seconds>-<8 random hex>.safetensors": a name no other file has,
    /// for a file whose settings cannot be read.
    static func uniqueName(stem: String) -> String {
        "\(stem)-unfingerprinted-\(Int(Date().timeIntervalSince1970))-\(UUID().uuidString.prefix(8)).safetensors"
    }

    /// Moves `file` to `aside`. When `aside` is already taken, `keepsExisting(aside)` decides
    /// which of the two stays there: true removes `file` (the one already aside is as good, or
    /// better), false puts `file` in its place.
    static func move(_ file: URL, to aside: URL, keepsExisting: (URL) -> Bool) throws {
        let files = FileManager.default
        if files.fileExists(atPath: aside.path) {
            if keepsExisting(aside) {
                try files.removeItem(at: file)
            } else {
                try files.removeItem(at: aside)
                try files.moveItem(at: file, to: aside)
            }
        } else {
            try files.moveItem(at: file, to: aside)
        }
    }
}
