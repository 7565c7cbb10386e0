import FlyingFox
import FlyingSocks
import Foundation

/// The server's front door: it listens on the TCP port, reads each request's head itself
/// (`RequestHeadReader`: bounded, linear), refuses in words what breaks a limit or names another
/// host, and passes the rest to FlyingFox, which listens on a socket of this process only.
///
/// FlyingFox has no limit on the length of a request line or header and no hook before it
/// parses them, so the check stands in front of it: each client connection gets one connection
/// to FlyingFox, and the bytes go through unchanged except the heads, which are written again
/// (`RequestHead.forwarded`). Every head on a kept-alive connection is checked, which needs the
/// request's body to be delimited by Content-Length: a chunked body is refused (411), as RFC 9112
/// §6.3 allows; the page never sends one. After a WebSocket upgrade the bytes are frames and go
/// through as they come.
final class RequestGate: Sendable {
    /// How long a refused client may go on sending (its request's rest, unread) before the
    /// connection is closed. Closing with unread bytes would reset the connection, and the
    /// client could lose the answer.
    static let drainSeconds = 2.0

    private let listener: Socket
    private let upstream: sockaddr_un
    private let allowedHosts: AllowedHosts
    private let pool: any AsyncSocketPool
    /// The TCP port it listens on.
    let port: UInt16

    /// Binds and listens on `host`:`port` now, so that a port in use is reported at once.
    /// - Parameters:
    ///   - upstream: where FlyingFox listens.
    /// - Throws: `WebServerError` saying in words why the address cannot be used.
    init(host: String, port: UInt16, upstream: sockaddr_un, allowedHosts: AllowedHosts) throws {
        let socket = try Socket(domain: AF_INET, type: .stream)
        do {
            try socket.setValue(true, for: .localAddressReuse)
            try socket.bind(to: sockaddr_in.inet(ip4: host, port: port))
            try socket.listen()
        } catch {
            try? socket.close()
            throw WebServerError(description: "cannot listen on \(host):\(port): " + Self.explain(error, host: host, port: port))
        }
        // Every socket accepted inherits TCP_NODELAY: a response is written in parts (FlyingFox
        // writes its header, then its body), and with Nagle's algorithm on, the second part waits
        // for the client's delayed acknowledgement of the first (40 ms on Linux).
        var on: Int32 = 1
        _ = setsockopt(socket.file.rawValue, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        guard case .ip4(_, let bound) = try socket.sockname() else {
            try? socket.close()
            throw WebServerError(description: "the server listens, but not on an IPv4 address")
        }
        self.listener = socket
        self.port = bound
        self.upstream = upstream
        self.allowedHosts = allowedHosts
        self.pool = HTTPServer.defaultPool()
    }

    /// A bind failure in words: which address, and what to do.
    static func explain(_ error: any Error, host: String, port: UInt16) -> String {
        guard case SocketError.failed(_, let number, let message) = error else { return "\(error.localizedDescription)" }
        switch number {
        case EADDRINUSE: return "port \(port) on \(host) is already in use: pick another with --port (0 lets the system choose a free one)"
        case EADDRNOTAVAIL: return "\(host) is not an address of this machine: give one of its own with --host, or 127.0.0.1"
        case EACCES: return "ports below 1024 need administrator rights: pick a port of 1024 or more with --port"
        default: return message
        }
    }

    /// Closes the listening socket of a door that will not `run`.
    func abandon() { try? listener.close() }

    /// Accepts connections until cancelled; the listening socket is closed then.
    func run() async throws {
        defer { try? listener.close() }
        try await pool.prepare()
        let accepting = try AsyncSocket(socket: listener, pool: pool)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.pool.run() }
            group.addTask {
                try await withThrowingDiscardingTaskGroup { connections in
                    for try await client in accepting.sockets {
                        connections.addTask { await self.serve(client) }
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    // MARK: One connection

    /// Serves one client connection: its first request is checked before FlyingFox is asked.
    private func serve(_ client: AsyncSocket) async {
        defer { try? client.close() }
        var reader = RequestHeadReader()
        let first: (RequestHead, [UInt8])
        switch await nextHead(from: client, &reader) {
        case .closed: return
        case .refused(let refusal): return await refuse(client, refusal)
        case .passed(let head, let rest): first = (head, rest)
        }
        guard let server = try? await AsyncSocket.connected(to: upstream, pool: pool) else {
            return await refuse(client, RequestError(.internalError, "the server is stopping"))
        }
        defer { try? server.close() }

        enum Ending: Sendable { case answersEnded, requestsEnded(RequestError?) }
        let refusal = await withTaskGroup(of: Ending.self) { group -> RequestError? in
            group.addTask {
                await Self.copy(from: server, to: client)
                return .answersEnded
            }
            group.addTask {
                let refusal = await self.forward(first, from: client, to: server)
                _ = shutdown(server.socket.file.rawValue, Int32(SHUT_WR))     // FlyingFox answers what it has, then closes
                return .requestsEnded(refusal)
            }
            var refusal: RequestError?
            for await ending in group {
                switch ending {
                case .answersEnded: group.cancelAll()          // FlyingFox closed: nothing more will be answered
                case .requestsEnded(let error): refusal = error
                }
            }
            return refusal
        }
        // Refused after the answers to the requests before it, all of which have been sent.
        if let refusal { await refuse(client, refusal) }
    }

    /// Passes requests from `client` to `server`, starting with `first` and the bytes read after
    /// it, until the client closes, a request is refused (returned), or the task is cancelled.
    private func forward(_ first: (RequestHead, [UInt8]), from client: AsyncSocket, to server: AsyncSocket) async -> RequestError? {
        var (head, pending) = first
        do {
            while true {
                let upgrading = !head.values("upgrade").isEmpty
                // A request to upgrade is FlyingFox's last on this connection (Connection: close
                // added): after a WebSocket's handshake the bytes are frames, and after a refused
                // handshake FlyingFox closes rather than read on unchecked.
                let connection = head.values("connection").last.map { "\($0), close" } ?? "close"
                try await server.write(head.forwarded(adding: upgrading ? ["Connection: \(connection)"] : []))
                if upgrading {
                    if !pending.isEmpty { try await server.write(Data(pending)) }
                    await Self.copy(from: client, to: server)
                    return nil
                }
                // The body: exactly Content-Length bytes, then the next request's head.
                var remaining = Self.contentLength(head) ?? 0
                let now = min(remaining, pending.count)
                if now > 0 { try await server.write(Data(pending[..<now])) }
                remaining -= now
                pending.removeFirst(now)
                while remaining > 0 {
                    let bytes = try await client.read(atMost: min(remaining, 16 * 1024))
                    try await server.write(Data(bytes))
                    remaining -= bytes.count
                }
                var reader = RequestHeadReader(pending)
                switch await nextHead(from: client, &reader) {
                case .closed: return nil
                case .refused(let refusal): return refusal
                case .passed(let next, let rest): (head, pending) = (next, rest)
                }
            }
        } catch {
            return nil                                   // the client or FlyingFox closed, or stopping
        }
    }

    private enum HeadResult { case closed, refused(RequestError), passed(RequestHead, [UInt8]) }

    /// Reads the next request's head from `client`, and checks it.
    private func nextHead(from client: AsyncSocket, _ reader: inout RequestHeadReader) async -> HeadResult {
        var outcome = reader.scan()
        while outcome == .incomplete {
            guard let bytes = try? await client.read(atMost: 16 * 1024) else { return .closed }
            outcome = reader.append(bytes)
        }
        switch outcome {
        case .incomplete: return .closed
        case .refused(let refusal): return .refused(refusal)
        case .head(let head, let rest):
            if let refusal = check(head) { return .refused(refusal) }
            return .passed(head, rest)
        }
    }

    /// What FlyingFox would take differently from this door, or must not see: several or no
    /// Host, a Host not allowed, a body without Content-Length or too large.
    func check(_ head: RequestHead) -> RequestError? {
        let hosts = head.values("host")
        guard hosts.count == 1, let host = hosts.first else {
            return RequestError(.badRequest, hosts.isEmpty ? "the request has no Host header" : "the request has more than one Host header")
        }
        guard allowedHosts.permits(host: host) else {
            return RequestError(.misdirectedRequest, "this server answers to localhost, 127.0.0.1 and [::1], not to '\(host)' "
                                + "(a page elsewhere must not reach it through a name of its own); to serve another name, "
                                + "start it with --allow-host NAME")
        }
        if !head.values("transfer-encoding").isEmpty {
            return RequestError(.lengthRequired, "send the request's body with a Content-Length, not chunked")
        }
        let lengths = head.values("content-length")
        guard lengths.count <= 1 else { return RequestError(.badRequest, "the request has more than one Content-Length") }
        if let length = lengths.first {
            guard let count = Int(length), count >= 0 else { return RequestError(.badRequest, "the Content-Length '\(length)' is not a number of bytes") }
            if count > RequestBody.maximumBytes {
                return RequestError(.payloadTooLarge, "the request body has \(count) bytes; the limit is \(RequestBody.maximumBytes) bytes")
            }
        }
        return nil
    }

    static func contentLength(_ head: RequestHead) -> Int? { head.values("content-length").first.flatMap { Int($0) } }

    /// Answers `refusal` and closes the connection, after reading what the client still sends
    /// (for at most `drainSeconds`).
    private func refuse(_ client: AsyncSocket, _ refusal: RequestError) async {
        let response = WebResponse.failure(refusal)
        var head = "HTTP/1.1 \(response.status) \(WebServer.phrase(response.status))\r\n"
        for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        guard (try? await client.write(Data(head.utf8) + response.body)) != nil else { return }
        _ = shutdown(client.socket.file.rawValue, Int32(SHUT_WR))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { while (try? await client.read(atMost: 16 * 1024)) != nil {} }
            group.addTask { try? await Task.sleep(for: .seconds(Self.drainSeconds)) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Copies bytes from `source` to `destination` until either closes or the task is cancelled.
    private static func copy(from source: AsyncSocket, to destination: AsyncSocket) async {
        while let bytes = try? await source.read(atMost: 16 * 1024), (try? await destination.write(Data(bytes))) != nil {}
    }
}
