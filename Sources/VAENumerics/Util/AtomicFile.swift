import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writing a file so that readers see either the old content or the new, never a mixture.
public enum AtomicFile {
    /// Writes `data` to a temporary file beside `url`, flushes it to disk (`fsync`), renames it
    /// over `url` (atomic on POSIX file systems), then flushes the folder so the rename persists.
    public static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        removeStaleTemporaries(of: url)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)   // never inherited by a child
        guard fd >= 0 else { throw AtomicFileError(path: url.path, step: "create \(temporary.lastPathComponent)", code: errno) }
        var failure: AtomicFileError?
        data.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = AtomicFileError(path: url.path, step: "write", code: errno)
                    return
                }
                written += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = AtomicFileError(path: url.path, step: "fsync", code: errno) }
        close(fd)
        if let failure {
            unlink(temporary.path)
            throw failure
        }
        guard rename(temporary.path, url.path) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw AtomicFileError(path: url.path, step: "rename", code: code)
        }
        let folderFD = open(folder.path, O_RDONLY)
        if folderFD >= 0 { fsync(folderFD); close(folderFD) }
    }
}

extension AtomicFile {
    /// Removes the temporary files `.NAME.<pid>.tmp` beside `url` that a process killed during a
    /// write left behind: those whose process no longer runs (`kill(pid, 0)` fails with ESRCH).
    /// A temporary file of a running process, another writer's, is left alone.
    static func removeStaleTemporaries(of url: URL) {
        let folder = url.deletingLastPathComponent()
        let prefix = ".\(url.lastPathComponent)."
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            let middle = name.dropFirst(prefix.count).dropLast(4)
            guard let pid = pid_t(middle), pid > 0 else { continue }
            if pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH) {
                unlink(folder.appendingPathComponent(name).path)
            }
        }
    }
}

extension AtomicFile {
    /// Checks, before any work starts, that writing `url` cannot destroy something else: `url` is
    /// none of the command's `inputs` (the same file, also through a link), and, when a file is
    /// there already, it is one of the kind the command writes (its content starts with
    /// `signature`, e.g. the header line of a CSV table). A file of another kind (a checkpoint, the
    /// test data) is someone else's: it is left as it is.
    ///
    /// - Parameters:
    ///   - option: the option that named `url`, for the message ("--output").
    ///   - kind: what the command writes, in words ("a score table").
    /// - Throws: `AtomicFileError` in words.
    public static func checkReplaceable(_ url: URL, option: String, kind: String, signature: String, inputs: [URL]) throws {
        for input in inputs where sameFile(url, input) {
            throw AtomicFileError(message: "\(option) \(url.path) is one of this command's inputs (\(input.path)); choose another file to write")
        }
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return }   // nothing there (or unreadable: the write says)
        defer { try? handle.close() }
        let start = (try? handle.read(upToCount: signature.utf8.count)) ?? Data()
        guard start == Data(signature.utf8) else {
            throw AtomicFileError(message: "\(option) \(url.path) exists and is not \(kind) (it does not start with \"\(signature)\"); "
                                  + "it is left as it is: remove it or choose another file to write")
        }
    }

    /// Whether two paths name one file (the same device and inode, links followed).
    static func sameFile(_ a: URL, _ b: URL) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a.path, &sa) == 0, stat(b.path, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}

/// A folder that a run writes into, checked before any work starts, with errors in words: a path
/// that is a file, lies under a file, or cannot be written.
public enum WritableFolder {
    /// Creates `folder` if needed and checks that a file can be created in it.
    /// - Throws: `AtomicFileError` saying what is wrong, in words.
    public static func prepare(_ folder: URL, purpose: String) throws {
        let path = folder.path
        guard !path.isEmpty, folder.lastPathComponent != "" else {
            throw AtomicFileError(message: "the \(purpose) folder is an empty path")
        }
        // The first part of the path that exists must be a folder.
        var existing = folder
        while !FileManager.default.fileExists(atPath: existing.path) && existing.path != "/" {
            existing = existing.deletingLastPathComponent()
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: existing.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw AtomicFileError(message: existing.path == path
                ? "the \(purpose) folder \(path) is a file, not a folder"
                : "the \(purpose) folder \(path) lies under \(existing.path), which is a file")
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw AtomicFileError(message: "cannot create the \(purpose) folder \(path): \(posixReason(error))")
        }
        let probe = folder.appendingPathComponent(".write-test.\(getpid())")
        let fd = open(probe.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw AtomicFileError(message: "cannot write in the \(purpose) folder \(path): \(String(cString: strerror(errno)))")
        }
        close(fd)
        unlink(probe.path)
    }
}

/// One owner per run folder: an exclusive `flock` on `folder/.lock`, held while the value lives.
/// A second process (or a second lock in the same process) that asks for it is refused at once,
/// so two trainings never interleave their checkpoints in one folder. The kernel releases the
/// lock when its process ends, killed or not, so no stale lock outlives a crash.
public final class RunLock: @unchecked Sendable {
    public let folder: URL
    private let fd: Int32

    /// Takes the lock of `folder` (created if needed).
    /// - Throws: `AtomicFileError` naming the process that holds it, or why the folder is unusable.
    public init(_ folder: URL) throws {
        try WritableFolder.prepare(folder, purpose: "run")
        self.folder = folder
        let path = folder.appendingPathComponent(".lock").path
        // O_CLOEXEC: child processes (gnuplot) must not inherit, and so hold, the lock.
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFileError(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
        var result: Int32
        repeat { result = flock(fd, LOCK_EX | LOCK_NB) } while result != 0 && errno == EINTR
        guard result == 0 else {
            let code = errno
            guard code == EWOULDBLOCK else {
                close(fd)
                throw AtomicFileError(message: "cannot lock \(path): \(String(cString: strerror(code)))")
            }
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw AtomicFileError(message: "another process\(holder.isEmpty ? "" : " (pid \(holder))") is training in \(folder.path); "
                                  + "wait for it to finish, stop it, or choose another folder")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// A failed atomic write, with the step and the system's reason.
public struct AtomicFileError: Error, CustomStringConvertible {
    public let description: String

    public init(path: String, step: String, code: Int32) {
        description = "cannot write \(path) (\(step)): \(String(cString: strerror(code)))"
    }

    public init(message: String) { description = message }
}

/// The POSIX reason of a Foundation file error ("Permission denied"), or its own description.
package func posixReason(_ error: Error) -> String {
    let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
    if let underlying, underlying.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(underlying.code))) }
    return error.localizedDescription
}
