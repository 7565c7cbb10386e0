import Foundation

/// The checkpoints kept in one run folder, each under its fingerprint, so that nothing trained is
/// ever lost: every trainer of the course (the VAE's `TrainingRun`, the multimodal trainer, the
/// digit classifier's `loadOrTrain`, the Fashion classifier's) keeps its runs this way.
///
/// The run in use is `checkpoint.safetensors`. When another run is asked for (other settings,
/// other data, other arithmetic), the one there is set aside as
/// `checkpoint-<the first 12 digits of its fingerprint>.safetensors`, and a run set aside earlier
/// is taken back when its fingerprint is asked for again. A file is removed only when it is a
/// second copy of one run, the less trained of the two.
struct RunStore {
    /// The file of the run in use: `checkpoint.safetensors` in a run folder (or another name, such
    /// as the digit classifier's `classifier.safetensors`).
    public let checkpoint: URL

    /// The store of a run folder, whose run in use is `checkpoint.safetensors`.
    public init(folder: URL) { checkpoint = folder.appendingPathComponent("checkpoint.safetensors") }

    /// The store around one file: the runs set aside go beside it, named after it.
    public init(checkpoint: URL) { self.checkpoint = checkpoint }

    /// The folder the runs are kept in.
    public var folder: URL { checkpoint.deletingLastPathComponent() }

    /// The checkpoint's name without `.safetensors`: the stem of the set-aside names.
    private var stem: String { checkpoint.deletingPathExtension().lastPathComponent }

    /// Where the run of `fingerprint` is kept while another is in use: `<stem>-<12 digits>.safetensors`.
    func setAsideURL(fingerprint: String) -> URL {
        folder.appendingPathComponent("\(stem)-\(fingerprint.prefix(12)).safetensors")
    }

    /// Moves the run in use aside, under its fingerprint (`fingerprint` nil: a file that has none,
    /// or cannot be read, gets a name of its own, with the time). When that name is taken by a
    /// copy of the same run (a retraining stopped half way, say), the further trained of the two
    /// is kept.
    ///
    /// - Parameters:
    ///   - fingerprint: the fingerprint of the run in `checkpoint`, when it has one.
    ///   - progress: how far a checkpoint file is trained (larger is further; unreadable: −1).
    /// - Returns: the file name it is kept under.
    /// - Throws: file-system errors.
    @discardableResult
    func setAsideCurrent(fingerprint: String?, progress: (URL) -> Int) throws -> String {
        let files = FileManager.default
        let aside = fingerprint.map(setAsideURL)
            ?? folder.appendingPathComponent("\(stem)-unfingerprinted-\(Int(Date().timeIntervalSince1970))-\(UUID().uuidString.prefix(8)).safetensors")
        if files.fileExists(atPath: aside.path) {
            if progress(aside) >= progress(checkpoint) {
                try files.removeItem(at: checkpoint)
            } else {
                try files.removeItem(at: aside)
                try files.moveItem(at: checkpoint, to: aside)
            }
        } else {
            try files.moveItem(at: checkpoint, to: aside)
        }
        return aside.lastPathComponent
    }

    /// Moves the run of `fingerprint` back into use when it was set aside (and `isThatRun` confirms
    /// the file holds it); nil when there is none. `checkpoint` must be free.
    /// - Throws: file-system errors.
    func takeBack(fingerprint: String, isThatRun: (URL) -> Bool) throws -> URL? {
        let files = FileManager.default
        let stored = setAsideURL(fingerprint: fingerprint)
        guard files.fileExists(atPath: stored.path), isThatRun(stored) else { return nil }
        try files.createDirectory(at: folder, withIntermediateDirectories: true)
        try files.moveItem(at: stored, to: checkpoint)
        return stored
    }

    /// The rule every trainer of a run folder follows, written once: the run of `fingerprint`,
    ///
    /// - in use and asked for without `retrain`: resumed from its file (`resume`; a finished run
    ///   comes back finished and trains nothing);
    /// - in use with another fingerprint (other settings, data or arithmetic), or with `retrain`:
    ///   set aside under its own fingerprint (`setAsideCurrent`), never deleted;
    /// - set aside earlier and asked for again without `retrain`: taken back and resumed;
    /// - otherwise started afresh (`start`).
    ///
    /// `inUse` is the fingerprint of the run in `checkpoint` as the caller read it (it reads that
    /// file anyway, for its words; nil: none, or unreadable), `savedFingerprint` reads another
    /// file's (one set aside), `progress` how far a file is trained; `report` hears what happened,
    /// once or twice (a set-aside, then what followed), to say it in the trainer's words.
    /// - Throws: what `resume` and `start` throw; file-system errors.
    func findOrStart<Run>(fingerprint: String, retrain: Bool, inUse saved: String?, savedFingerprint: (URL) -> String?,
                          progress: (URL) -> Int, resume: (URL) throws -> Run, start: () throws -> Run,
                          report: (RunStoreEvent, Run?) -> Void) throws -> Run {
        if FileManager.default.fileExists(atPath: checkpoint.path) {
            if !retrain, saved == fingerprint {
                let run = try resume(checkpoint)
                report(.inUse, run)
                return run
            }
            let aside = try setAsideCurrent(fingerprint: saved, progress: progress)
            report(retrain && saved == fingerprint ? .setAsideToRetrain(as: aside) : .setAsideAsAnother(as: aside), nil)
        }
        if !retrain, let stored = try takeBack(fingerprint: fingerprint, isThatRun: { savedFingerprint($0) == fingerprint }) {
            let run = try resume(checkpoint)
            report(.takenBack(from: stored), run)
            return run
        }
        let run = try start()
        report(.started, run)
        return run
    }
}

/// What `RunStore.findOrStart` did, for the trainer to say.
enum RunStoreEvent {
    /// The run in use is the one asked for (finished or not).
    case inUse
    /// `retrain`: the run in use, the one asked for, was set aside under this file name.
    case setAsideToRetrain(as: String)
    /// The run in use was another (or unreadable); it was set aside under this file name.
    case setAsideAsAnother(as: String)
    /// The run asked for was taken back from this file.
    case takenBack(from: URL)
    /// A new run was started.
    case started
}
