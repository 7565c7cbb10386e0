import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a stand-in program (a shell script) and makes it executable, through a descriptor opened
/// with O_CLOEXEC. Tests run in parallel and start processes: a descriptor without it would be
/// inherited by a process another test starts while this one writes, and the script could then
/// not be executed ("text file busy") until that process ended.
func writeExecutable(_ text: String, to url: URL) throws {
    let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else { throw CocoaError(.fileWriteUnknown) }
    guard fchmod(fd, 0o755) == 0 else { throw CocoaError(.fileWriteUnknown) }
}
