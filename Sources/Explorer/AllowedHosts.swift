import Foundation

/// The names a request may give in its Host header: those of this machine's loopback interface
/// (localhost, 127.0.0.1, [::1]), and any the person running the server adds.
///
/// Why: a page on another site can make the browser send requests to a name it controls, whose
/// address it then points at 127.0.0.1 (DNS rebinding); the browser counts those requests as the
/// other site's own, so that site could read `/api/info` (the checkpoint's path) and everything
/// else. Such requests carry the other site's name in Host, and are refused (421).
public struct AllowedHosts: Sendable, Equatable {
    /// The names this machine always answers to, in lower case.
    public static let loopbackNames: Set<String> = ["localhost", "127.0.0.1", "[::1]"]

    /// Extra names (lower case, without port), such as this machine's name on the network.
    public private(set) var names: Set<String>
    /// Whether every Host is accepted: the check is off.
    public private(set) var acceptsAnyHost: Bool

    /// Only the loopback names.
    public static let loopback = AllowedHosts()

    /// - Parameter names: names to accept besides the loopback ones, with or without a port
    ///   (which is ignored); "*" accepts any name.
    public init(_ names: [String] = []) {
        let cleaned = names.map { Self.hostName(of: $0) }
        acceptsAnyHost = cleaned.contains("*")
        self.names = Set(cleaned.filter { $0 != "*" && !$0.isEmpty })
    }

    /// These names and `name`.
    public func adding(_ name: String) -> AllowedHosts {
        var copy = self
        copy.names.insert(Self.hostName(of: name))
        return copy
    }

    /// Whether a request whose Host header is `host` is answered.
    public func permits(host: String) -> Bool {
        if acceptsAnyHost { return true }
        let name = Self.hostName(of: host)
        return Self.loopbackNames.contains(name) || names.contains(name)
    }

    /// The name part of a Host value, in lower case: "LocalHost:8018" → "localhost", "[::1]:80" → "[::1]".
    public static func hostName(of host: String) -> String {
        var name = host.trimmingCharacters(in: .whitespaces).lowercased()
        if name.hasPrefix("["), let close = name.firstIndex(of: "]") {
            let after = name[name.index(after: close)...]
            if after.isEmpty || (after.first == ":" && after.dropFirst().allSatisfy(\.isNumber)) { name = String(name[...close]) }
        } else if let colon = name.lastIndex(of: ":"), name[name.index(after: colon)...].allSatisfy(\.isNumber) {
            name = String(name[..<colon])
        }
        if name.hasSuffix("."), name.count > 1 { name.removeLast() }       // "localhost." is "localhost"
        return name
    }
}
