import Foundation

/// Checks that a chapter's executable accepts every flag its Experiments block names.
public struct HelpCheck {
    /// The folder of the built executables (`.build/release`).
    public var binaries: URL

    public init(binaries: URL) { self.binaries = binaries }

    /// The flags `page`'s Experiments block names that `<binaries>/<chapter> --help` does not
    /// list; nil when the chapter has no Experiments block.
    /// - Throws: when the executable is missing or its `--help` fails.
    public func missingFlags(_ page: ChapterPage) throws -> [String]? {
        guard let text = ExperimentFlags.experimentsText(page.main) else { return nil }
        let flags = ExperimentFlags.flags(in: text, chapter: page.name)
        guard !flags.isEmpty else { return [] }
        return ExperimentFlags.missing(flags, help: try help(of: page.name))
    }

    /// What `<binaries>/<program> --help` prints.
    public func help(of program: String) throws -> String {
        let executable = binaries.appendingPathComponent(program)
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw BookError("\(program) is not built in \(binaries.path): run `swift build -c release` first"
                            + " (the book checks the flags its experiments name against `\(program) --help`)")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--help"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BookError("`\(program) --help` failed with exit status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
