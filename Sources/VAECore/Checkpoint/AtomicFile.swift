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
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
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

/// A failed atomic write, with the step and the system's reason.
public struct AtomicFileError: Error, CustomStringConvertible {
    public let path: String
    public let step: String
    public let code: Int32
    public var description: String { "cannot write \(path) (\(step)): \(String(cString: strerror(code)))" }
}
