import Foundation

/// The SHA-256 sums of a data folder's *uncompressed* files, read from its `SHA256SUMS.raw`.
///
/// Each line is `<64 hex digits>  <name>  (<n> bytes uncompressed)`, where `<name>` is the file
/// name without `.gz`. We hash what we decompressed rather than the `.gz` bytes, so a file that
/// was recompressed (with another gzip level or tool) still verifies, while any change to the
/// content itself is caught. Blank lines and lines starting with `#` are ignored; the size
/// part is optional.
public struct ChecksumList: Sendable, Equatable {
    /// The name of the list inside a data folder.
    public static let fileName = "SHA256SUMS.raw"

    /// One file's expected content.
    public struct Entry: Sendable, Equatable {
        /// 64 lowercase hex digits.
        var sha256: String
        /// The uncompressed size in bytes, when the list gives it.
        public var size: Int?
    }

    /// The entries, by file name without `.gz`.
    public var entries: [String: Entry]
    /// Where the list came from, for error messages.
    public var source: String

    /// Parses the text of a checksum list.
    /// - Throws: `DataError.malformedChecksumList` naming the first bad line.
    public init(parsing text: String, source: String) throws(DataError) {
        self.source = source
        entries = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let lineNumber = number + 1
            guard fields.count >= 2 else {
                throw .malformedChecksumList(file: source, line: lineNumber, detail: "expected '<sha256>  <name>', got '\(line)'")
            }
            let hex = fields[0].lowercased()
            guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit }) else {
                throw .malformedChecksumList(file: source, line: lineNumber, detail: "'\(fields[0])' is not 64 hex digits")
            }
            var size: Int?
            if fields.count > 2 {
                // "(47040016 bytes uncompressed)"
                guard fields.count == 5, fields[2].hasPrefix("("), let n = Int(fields[2].dropFirst()), n >= 0,
                      fields[3] == "bytes", fields[4] == "uncompressed)" else {
                    throw .malformedChecksumList(file: source, line: lineNumber,
                                                 detail: "expected '(<n> bytes uncompressed)' after the name, got '\(fields[2...].joined(separator: " "))'")
                }
                size = n
            }
            entries[fields[1]] = Entry(sha256: hex, size: size)
        }
    }

    /// The list in `directory`, or nil when the folder has none.
    public static func load(in directory: URL) throws(DataError) -> ChecksumList? {
        let url = directory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .unreadable(file: url.path, reason: "\(error.localizedDescription)")
        }
        return try ChecksumList(parsing: text, source: url.path)
    }

    /// Checks that `content` is what the list says `name` holds.
    ///
    /// - Parameters:
    ///   - name: the name in the list (no `.gz`).
    ///   - file: the path to name in errors (the `.gz` file that was read).
    /// - Throws: `.checksumMissing`, `.checksumSizeMismatch` or `.checksumMismatch`.
    /// - Complexity: O(n): one SHA-256 pass over `content`.
    func verify(_ content: [UInt8], name: String, file: String) throws(DataError) {
        guard let entry = entries[name] else { throw .checksumMissing(file: file, list: source) }
        if let size = entry.size, size != content.count {
            throw .checksumSizeMismatch(file: file, expected: size, actual: content.count)
        }
        let actual = SHA256.hash(content).hex
        guard actual == entry.sha256 else {
            throw .checksumMismatch(file: file, expected: entry.sha256, actual: actual)
        }
    }
}
