import Foundation
import Testing
@testable import Explorer
import VAECore

/// The server's front door: requests too long refused at once and in linear time, without
/// delaying other clients; Host names other than this machine's refused; a port in use said in
/// words. Through real sockets, written byte for byte (URLSession would not send such requests).
@Suite struct GateTests {
    /// Sends `request` to 127.0.0.1:`port` and reads the answer until the server closes, or
    /// `until` holds, or `timeout` passes, on a thread of its own (a blocking socket must not
    /// hold one of the few threads that the server in this process runs on).
    static func exchange(port: UInt16, _ request: String, timeout: Double = 10,
                         until done: @escaping @Sendable (Data) -> Bool = { _ in false }) async -> (status: Int, text: String, seconds: Double) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let watch = Stopwatch()
                let answer = blockingExchange(port: port, Data(request.utf8), timeout: timeout, until: done)
                let text = String(decoding: answer, as: UTF8.self)
                let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
                continuation.resume(returning: (status, text, watch.elapsedSeconds))
            }
        }
    }

    private static func blockingExchange(port: UInt16, _ request: Data, timeout: Double, until done: (Data) -> Bool) -> Data {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return Data() }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return Data() }
        var sent = 0
        while sent < request.count {
            let count = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, request.count - sent, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { break }
            sent += count
        }
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !done(answer) {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            answer.append(contentsOf: buffer[..<count])
        }
        return answer
    }

    static func get(_ target: String, host: String, extra: String = "") -> String {
        "GET \(target) HTTP/1.1\r\nHost: \(host)\r\n\(extra)Connection: close\r\n\r\n"
    }

    static func start(allowedHosts: AllowedHosts = .loopback) async throws -> (WebServer, UInt16) {
        let routes = try Fixture.plain.get()
        let server = try await WebServer(host: "127.0.0.1", port: 0, allowedHosts: allowedHosts, respond: routes.respond)
        let url = try await server.start()
        return (server, UInt16(try #require(url.port)))
    }

    // MARK: Lengths

    /// A 200 kB address is refused with 414 within a fraction of a second (FlyingFox alone took
    /// 19.5 s to read it), and three of them at once do not hold up an ordinary request.
    @Test func refusesALongRequestLinePromptly() async throws {
        let (server, port) = try await Self.start()
        defer { Task { await server.stop() } }
        let long = Self.get("/api/info?x=" + String(repeating: "a", count: 200_000), host: "127.0.0.1:\(port)")
        async let first = Self.exchange(port: port, long)
        async let second = Self.exchange(port: port, long)
        async let third = Self.exchange(port: port, long)
        try await Task.sleep(for: .milliseconds(50))
        let info = await Self.exchange(port: port, Self.get("/api/info", host: "127.0.0.1:\(port)"))
        #expect(info.status == 200 && info.seconds < 2, "GET /api/info beside three long requests: \(info.status) in \(info.seconds) s")
        for refused in await [first, second, third] {
            #expect(refused.status == 414 && refused.seconds < 2, "a 200 kB request line: \(refused.status) in \(refused.seconds) s")
            #expect(refused.text.contains("longer than 8192 bytes"))
        }
    }

    @Test func refusesLargeHeaderFields() async throws {
        let (server, port) = try await Self.start()
        defer { Task { await server.stop() } }
        let many = (0..<40).map { "X-Filler-\($0): \(String(repeating: "b", count: 1000))\r\n" }.joined()
        let refused = await Self.exchange(port: port, Self.get("/api/info", host: "localhost:\(port)", extra: many))
        #expect(refused.status == 431 && refused.seconds < 2 && refused.text.contains("header fields"))
        let one = "X-Long: \(String(repeating: "c", count: 100_000))\r\n"
        let long = await Self.exchange(port: port, Self.get("/api/info", host: "localhost:\(port)", extra: one))
        #expect(long.status == 431 && long.seconds < 2)
        let chunked = await Self.exchange(port: port, "POST /api/decode HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        #expect(chunked.status == 411)
        let fine = await Self.exchange(port: port, Self.get("/api/info", host: "localhost:\(port)", extra: "X-Short: 1\r\n"))
        #expect(fine.status == 200)
    }

    /// Each request on a kept-alive connection is checked, not only the first.
    @Test func checksEveryRequestOfAConnection() async throws {
        let (server, port) = try await Self.start()
        defer { Task { await server.stop() } }
        let body = "{\"z\": [0, 1, 0, -1]}"
        let pipelined = "GET /api/info HTTP/1.1\r\nHost: localhost:\(port)\r\n\r\n"
            + "POST /api/decode HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            + "GET /api/info HTTP/1.1\r\nHost: evil.example\r\n\r\n"
        let answer = await Self.exchange(port: port, pipelined)
        let statuses = answer.text.components(separatedBy: "HTTP/1.1 ").dropFirst().compactMap { Int($0.prefix(3)) }
        #expect(statuses == [200, 200, 421], "\(statuses)")
    }

    @Test func readsAHeadInAnyPieces() {
        let text = "\r\nGET /api/info?a=1 HTTP/1.1\r\nHost: localhost:8018\nX-A :  b \r\n\r\nrest"
        var whole = RequestHeadReader()
        guard case .head(let head, let rest) = whole.append(Array(text.utf8)) else { Issue.record("no head"); return }
        #expect(head.method == "GET" && head.target == "/api/info?a=1" && head.values("x-a") == ["b"] && rest == Array("rest".utf8))
        var pieces = RequestHeadReader()
        var outcome = RequestHeadReader.Outcome.incomplete
        for byte in text.utf8 where outcome == .incomplete { outcome = pieces.append([byte]) }
        #expect(outcome == .head(head, rest: []))
        #expect(String(decoding: head.forwarded(), as: UTF8.self) == "GET /api/info?a=1 HTTP/1.1\r\nHost: localhost:8018\r\nX-A :  b \r\n\r\n")

        var long = RequestHeadReader()
        #expect(long.append(Array("GET /".utf8) + [UInt8](repeating: 97, count: RequestHead.maximumRequestLine - 5)) == .incomplete)
        guard case .refused(let error) = long.append([97]) else { Issue.record("a long line is not refused before its end"); return }
        #expect(error.status == .uriTooLong)
    }

    // MARK: Host names

    @Test func answersOnlyToLoopbackNames() async throws {
        let (server, port) = try await Self.start()
        defer { Task { await server.stop() } }
        for host in ["localhost:\(port)", "127.0.0.1:\(port)", "[::1]:\(port)", "LOCALHOST", "127.0.0.1"] {
            #expect(await Self.exchange(port: port, Self.get("/api/info", host: host)).status == 200, "Host: \(host)")
        }
        for host in ["evil.example:\(port)", "evil.example", "localhost.evil.example", "127.0.0.1.nip.io:\(port)"] {
            let refused = await Self.exchange(port: port, Self.get("/api/info", host: host))
            #expect(refused.status == 421 && refused.text.contains("--allow-host") && !refused.text.contains("checkpoint"), "Host: \(host)")
        }
        let missing = await Self.exchange(port: port, "GET /api/info HTTP/1.1\r\nConnection: close\r\n\r\n")
        #expect(missing.status == 400)
        let twice = await Self.exchange(port: port, Self.get("/api/info", host: "localhost", extra: "Host: evil.example\r\n"))
        #expect(twice.status == 400)
    }

    @Test func answersToNamesAllowed() async throws {
        let (server, port) = try await Self.start(allowedHosts: AllowedHosts(["mybox.local:8018"]))
        defer { Task { await server.stop() } }
        #expect(await Self.exchange(port: port, Self.get("/api/info", host: "MyBox.local:\(port)")).status == 200)
        #expect(await Self.exchange(port: port, Self.get("/api/info", host: "other.local")).status == 421)
        #expect(AllowedHosts(["*"]).permits(host: "anything.example"))
        #expect(!AllowedHosts.loopback.permits(host: "") && !AllowedHosts.loopback.permits(host: "[::1].evil"))
        #expect(AllowedHosts.loopback.permits(host: "localhost.:80"))
    }

    /// The live view's WebSocket goes through the door: the handshake is answered, and the
    /// first message follows.
    @Test func upgradesToAWebSocket() async throws {
        let board = LiveBoard()
        let routes = LiveRoutes(board: board, assets: try Fixture.assets.get())
        let server = try await WebServer(host: "127.0.0.1", port: 0, stream: LiveStream(board: board), respond: routes.respond)
        let port = UInt16(try #require(try await server.start().port))
        defer { Task { await server.stop() } }
        let handshake = "GET /api/live/stream HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        let answer = await Self.exchange(port: port, handshake, timeout: 5) { String(decoding: $0, as: UTF8.self).contains("\"status\"") }
        #expect(answer.status == 101 && answer.text.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="))
        #expect(answer.text.contains("\"status\""), "the board's first update arrives as a frame")
        let evil = handshake.replacingOccurrences(of: "Host: 127.0.0.1:\(port)", with: "Host: evil.example:\(port)")
        #expect(await Self.exchange(port: port, evil).status == 421, "a page elsewhere cannot open the stream")
    }

    // MARK: Listening

    @Test func saysWhichPortIsInUse() async throws {
        let (server, port) = try await Self.start()
        defer { Task { await server.stop() } }
        let second = try await WebServer(host: "127.0.0.1", port: port, respond: { _ in WebResponse() })
        do {
            _ = try await second.start()
            Issue.record("a second server started on port \(port)")
        } catch {
            let message = "\(error)"
            #expect(message.contains("cannot listen on 127.0.0.1:\(port)") && message.contains("port \(port) on 127.0.0.1 is already in use")
                    && message.contains("--port"), "\(message)")
        }
    }
}
