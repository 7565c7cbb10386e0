import VAENumerics
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs gnuplot as a child process and feeds it a script through a pipe.
///
/// The pitfalls of talking to a program through pipes, each handled here:
/// - Start gnuplot *before* writing: a pipe holds only ~64 KiB, so writing a large script first
///   would block forever with nobody reading.
/// - Read gnuplot's stderr on another thread while writing: if gnuplot fills the stderr pipe
///   with warnings, it blocks, stops reading stdin, and both programs wait for each other.
/// - Close stdin when done: gnuplot reads commands until end of file and never exits otherwise.
/// - Wait for it and check the exit status: gnuplot reading a pipe reports each bad command on
///   stderr, carries on, and exits 1 at the end; that text is passed on in
///   `PlotError.gnuplotFailed` (with the script line of the first failure).
/// - Ignore SIGPIPE: if gnuplot dies while we are still writing, the default action of SIGPIPE
///   would kill this program without a word (exit 141). Ignored, the write fails with EPIPE
///   ("Broken pipe") instead, and gnuplot's own error text explains why.
public struct GnuplotProcess: Sendable {
    /// The gnuplot executable.
    public var executable: URL

    public init(executable: URL) { self.executable = executable }

    /// The gnuplot to use: `$GNUPLOT` if set (a path, or a name looked up on `PATH`), else
    /// `gnuplot` on `PATH`; `nil` when there is none that is executable.
    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        var wanted = environment["GNUPLOT"].flatMap { $0.isEmpty ? nil : $0 } ?? "gnuplot"
        if wanted.contains("/") {
            if FileManager.default.isExecutableFile(atPath: wanted) { return URL(fileURLWithPath: wanted) }
            // A $GNUPLOT that names no program is said, and the one on PATH is used instead.
            FileHandle.standardError.write(Data("$GNUPLOT is \(wanted), which is not an executable file; looking for gnuplot on PATH\n".utf8))
            wanted = "gnuplot"
        }
        for directory in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(wanted)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Pipes `script` into gnuplot running in `directory` (so relative `set output` names land
    /// there) and waits for it to finish. Returns what gnuplot wrote to stderr (warnings) when it
    /// succeeds; throws `PlotError.gnuplotFailed` with that text when it fails.
    /// `scriptPath` only names the script in error messages.
    @discardableResult
    public func run(script: String, in directory: URL, scriptPath: String = "<stdin>") throws -> String {
        Self.ignoreSIGPIPE()
        let process = Process()
        process.executableURL = executable
        process.arguments = []
        process.currentDirectoryURL = directory
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice   // `print` output, unused
        do {
            try process.run()
        } catch {
            throw PlotError.launchFailed(executable: executable.path, reason: "\(error.localizedDescription)")
        }

        // Drain stderr concurrently; the group's wait() orders the read before we look at it.
        let collected = Collected()
        let group = DispatchGroup()
        group.enter()
        let reader = errors.fileHandleForReading
        DispatchQueue.global().async {
            collected.data = reader.readDataToEndOfFile()
            group.leave()
        }

        var writeFailure: String?
        do {
            try input.fileHandleForWriting.write(contentsOf: Data(script.utf8))
        } catch {
            writeFailure = "\(error.localizedDescription)"
        }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()

        let stderr = String(decoding: collected.data, as: UTF8.self)
        let status = process.terminationStatus
        if status != 0 || process.terminationReason != .exit {
            var message = stderr.isEmpty ? "(gnuplot wrote nothing to stderr)" : stderr
            if let line = Self.failingLine(stderr: stderr, script: script) {
                message += "\n(the failing command is line \(line) of the script)"
            }
            if process.terminationReason == .uncaughtSignal { message += "\n(gnuplot was killed by signal \(status))" }
            if let writeFailure { message += "\n(writing the script to gnuplot stopped early: \(writeFailure))" }
            throw PlotError.gnuplotFailed(status: status, stderr: message, script: scriptPath)
        }
        if let writeFailure {
            throw PlotError.gnuplotFailed(status: status, stderr: stderr + "\n(writing the script to gnuplot failed: \(writeFailure))",
                                          script: scriptPath)
        }
        return stderr
    }

    /// The 1-based script line that gnuplot echoed as `gnuplot> …` before its first error
    /// message. Read from a pipe, gnuplot calls every command "line 0" (and carries on after an
    /// error, exiting 1 at the end), so this is the only way to point at the line in a long script.
    static func failingLine(stderr: String, script: String) -> Int? {
        guard let echoed = stderr.split(separator: "\n").first(where: { $0.hasPrefix("gnuplot> ") }) else { return nil }
        let command = echoed.dropFirst("gnuplot> ".count).trimmingCharacters(in: .whitespaces)
        guard !command.isEmpty else { return nil }
        let lines = script.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == command }.map { $0 + 1 }
    }

    /// Makes a write to a pipe whose reader has gone fail with EPIPE instead of killing us.
    /// Process-wide and idempotent.
    static func ignoreSIGPIPE() {
        _ = signal(SIGPIPE, SIG_IGN)
    }

    /// Bytes handed from the reader thread to the caller; `DispatchGroup.wait()` orders the write
    /// before the read.
    private final class Collected: @unchecked Sendable {
        var data = Data()
    }
}
