import Foundation

/// The head of one HTTP/1.1 request, its request line and header fields, as the server's front
/// door (`RequestGate`) reads it before FlyingFox does.
///
/// FlyingFox 0.27.1 reads a request's lines without any limit on their length, and in a time
/// that grows faster than a line's length (a 200 kB URL took tens of seconds to be answered on
/// two cores, and a plain `GET /api/info` sent beside a few such waited as long), so that a few
/// long requests stalled every other client. The head is therefore read here first, in one
/// linear pass over bounded bytes, and refused in words when too long; only a head within the
/// limits reaches FlyingFox, written again line by line (`forwarded`).
struct RequestHead: Equatable {
    /// The longest request line (method, target, version): longer is refused with 414 URI Too
    /// Long. The page's longest address is well under a kilobyte; 8 KiB is the common limit of
    /// servers and proxies.
    static let maximumRequestLine = 8 * 1024
    /// The most bytes of header fields, all lines together: more is refused with 431 Request
    /// Header Fields Too Large. A browser sends about one kilobyte.
    static let maximumFieldBytes = 16 * 1024

    var method: String
    var target: String
    var version: String
    /// The header fields in order, names and values trimmed as FlyingFox trims them.
    var fields: [(name: String, value: String)]
    /// The header lines as received (without their line ends), which `forwarded` writes again.
    var fieldLines: [String]

    static func == (a: RequestHead, b: RequestHead) -> Bool {
        a.method == b.method && a.target == b.target && a.version == b.version && a.fieldLines == b.fieldLines
    }

    /// The values of the field `name` (case-insensitive), in order.
    func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// Parses a head from its lines (line ends removed): the request line, then the fields.
    /// A line without a colon is skipped, as FlyingFox skips it.
    init(requestLine: String, fieldLines: [String]) throws(RequestError) {
        let parts = requestLine.trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/") else {
            throw RequestError(.badRequest, "the request line must read METHOD TARGET HTTP/1.1")
        }
        method = String(parts[0]); target = String(parts[1]); version = String(parts[2])
        self.fieldLines = fieldLines
        fields = fieldLines.compactMap { line in
            let halves = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: true)
            guard halves.count == 2 else { return nil }
            return (halves[0].trimmingCharacters(in: .whitespacesAndNewlines), halves[1].trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// The head as bytes for FlyingFox: the same lines with CRLF ends, then `extraFields`
    /// (which FlyingFox, keeping the last value of a repeated name, reads in place of earlier ones).
    func forwarded(adding extraFields: [String] = []) -> Data {
        var text = "\(method) \(target) \(version)\r\n"
        for line in fieldLines + extraFields { text += line + "\r\n" }
        return Data((text + "\r\n").utf8)
    }
}

/// Collects a request head from the bytes of a connection as they arrive, and says as soon as
/// it is complete or too long. Every byte is looked at once, and at most
/// `RequestHead.maximumRequestLine + RequestHead.maximumFieldBytes` bytes (plus the read that
/// crossed the limit) are ever held: the time and memory are linear in the head's limits,
/// whatever the client sends.
struct RequestHeadReader {
    enum Outcome: Equatable {
        /// More bytes are needed.
        case incomplete
        /// A complete head, and the bytes that followed it (a body, or the next request).
        case head(RequestHead, rest: [UInt8])
        /// The head breaks a limit or is not HTTP: answer `RequestError` and close.
        case refused(RequestError)
    }

    private var buffer: [UInt8]
    /// Where the search for the next line end resumes.
    private var scanned = 0
    /// Where the current line starts.
    private var lineStart = 0
    /// Where the header fields start (after the request line's end), once it is known.
    private var fieldsStart: Int?
    private var requestLine = ""
    private var fieldLines: [String] = []

    /// - Parameter bytes: bytes that arrived after the previous request, if any.
    init(_ bytes: [UInt8] = []) { buffer = bytes }

    /// Whether bytes of a next request have arrived (a client may send its next request before
    /// the answer to the last).
    var isEmpty: Bool { buffer.isEmpty }

    /// Adds `bytes` and reports.
    mutating func append(_ bytes: some Collection<UInt8>) -> Outcome {
        buffer.append(contentsOf: bytes)
        return scan()
    }

    /// Looks at the bytes not yet looked at, line by line. Lines end with LF, an optional CR
    /// before it removed (as FlyingFox reads them); empty lines before the request line are
    /// skipped (RFC 9112 §2.2), and count towards its limit.
    mutating func scan() -> Outcome {
        while let end = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
            scanned = end + 1
            var lineEnd = end
            if lineEnd > lineStart, buffer[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            let line = buffer[lineStart..<lineEnd]
            lineStart = end + 1
            guard let fieldsStart else {
                if let refusal = checkRequestLine(length: end) { return .refused(refusal) }
                if line.isEmpty { continue }
                guard let text = String(bytes: line, encoding: .utf8) else { return .refused(Self.notText) }
                requestLine = text
                self.fieldsStart = end + 1
                continue
            }
            if let refusal = checkFields(length: end + 1 - fieldsStart) { return .refused(refusal) }
            if line.isEmpty {
                do {
                    let head = try RequestHead(requestLine: requestLine, fieldLines: fieldLines)
                    return .head(head, rest: Array(buffer[scanned...]))
                } catch {
                    return .refused(error)
                }
            }
            guard let text = String(bytes: line, encoding: .utf8) else { return .refused(Self.notText) }
            fieldLines.append(text)
        }
        scanned = buffer.count
        // A line not yet ended already breaks its limit: refused now, before the rest is read.
        if let fieldsStart { return checkFields(length: buffer.count - fieldsStart).map(Outcome.refused) ?? .incomplete }
        return checkRequestLine(length: buffer.count).map(Outcome.refused) ?? .incomplete
    }

    private func checkRequestLine(length: Int) -> RequestError? {
        guard length > RequestHead.maximumRequestLine else { return nil }
        return RequestError(.uriTooLong, "the request line is longer than \(RequestHead.maximumRequestLine) bytes: send a shorter address")
    }

    private func checkFields(length: Int) -> RequestError? {
        guard length > RequestHead.maximumFieldBytes else { return nil }
        return RequestError(.headerFieldsTooLarge, "the request's header fields take more than \(RequestHead.maximumFieldBytes) bytes")
    }

    private static let notText = RequestError(.badRequest, "the request's head is not UTF-8 text")
}
