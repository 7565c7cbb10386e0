import FlyingFox
import FlyingSocks
import Synchronization
import Foundation

/// The HTTP server behind `vae explore` and `vae train --live`: FlyingFox (HTTP/1.1 and
/// WebSockets on Swift concurrency and the system's sockets), translating its requests into
/// `WebRequest`s for the routes and their `WebResponse`s back.
///
/// It listens on 127.0.0.1 unless told otherwise: the page is for the person at this machine.
/// A body larger than `RequestBody.maximumBytes` is refused with 413 before it is read.
public final class WebServer: Sendable {
    public let host: String
    private let server: HTTPServer

    /// - Parameters:
    ///   - host: an IPv4 address to listen on (127.0.0.1: this machine only; 0.0.0.0: every network).
    ///   - port: the TCP port; 0 lets the system choose a free one (`start` says which).
    ///   - respond: the routes.
    ///   - stream: the WebSocket at `streamPath`, if any.
    public init(host: String, port: UInt16, streamPath: String = "/api/live/stream", stream: (any WSMessageHandler)? = nil,
                respond: @escaping @Sendable (WebRequest) -> WebResponse) async throws {
        let address: sockaddr_in
        do { address = try .inet(ip4: host, port: port) } catch {
            throw RequestError(.badRequest, "--host takes an IPv4 address such as 127.0.0.1 or 0.0.0.0, not '\(host)'")
        }
        self.host = host
        server = HTTPServer(address: address, timeout: 60, logger: .disabled)
        if let stream { await server.appendRoute(HTTPRoute("GET \(streamPath)"), to: .webSocket(stream)) }
        await server.appendRoute("*") { request in await WebServer.handle(request, respond) }
    }

    /// Starts listening, in the background, and returns the page's address once it listens.
    /// - Throws: when the port is taken or the address cannot be used, with the system's reason.
    public func start() async throws -> URL {
        let server = self.server
        let running = Task { try await server.run() }
        do {
            try await server.waitUntilListening(timeout: 10)
        } catch {
            running.cancel()
            if let failure = await running.result.failure { throw WebServerError(description: "cannot listen on \(host): \(failure.localizedDescription)") }
            throw WebServerError(description: "the server did not start listening on \(host)")
        }
        guard case .ip4(_, let port)? = await server.listeningAddress else {
            throw WebServerError(description: "the server listens, but not on an IPv4 address")
        }
        WebServer.disableNagle(listeningOn: port)
        return URL(string: "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)/")!
    }

    /// Stops listening and closes the connections.
    public func stop() async { await server.stop(timeout: 1) }

    /// Starts the server, prints its address with `announce`, and blocks the calling thread for
    /// as long as the server runs (until the process is interrupted). For the synchronous
    /// commands of `vae`.
    public static func serveForever(host: String, port: UInt16, stream: (any WSMessageHandler)? = nil,
                                    respond: @escaping @Sendable (WebRequest) -> WebResponse,
                                    announce: @escaping @Sendable (URL) -> Void) throws {
        let url = try blocking { () async throws -> URL in
            let server = try await WebServer(host: host, port: port, stream: stream, respond: respond)
            let url = try await server.start()
            WebServer.running.withLock { $0.append(server) }                     // kept alive with the process
            return url
        }
        announce(url)
    }

    /// Runs `body` on the concurrency pool and waits for it on this thread.
    public static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<T, any Error>?>(nil)
        Task {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }

    private static let running = Mutex<[WebServer]>([])

    /// Sets TCP_NODELAY on the listening socket of `port`, which the sockets it accepts inherit.
    ///
    /// FlyingFox sends a response in two writes, its header and then its body. With Nagle's
    /// algorithm on, the second waits until the client acknowledges the first, and a client
    /// delays that acknowledgement (40 ms on Linux) while it expects more: every decode took
    /// 46 ms from request to answer, of which 1 ms was the server's work. FlyingFox has no
    /// option for TCP_NODELAY and keeps its socket to itself, so the listening socket is found
    /// among this process's descriptors by what it is: a socket accepting connections on `port`.
    static func disableNagle(listeningOn port: UInt16) {
        let candidates = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) })
            ?? Array(0..<1024)
        for fd in candidates {
            var accepting: Int32 = 0, length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting == 1 else { continue }
            var address = sockaddr_in(), size = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) }
            }
            guard named == 0, Int32(address.sin_family) == AF_INET, UInt16(bigEndian: address.sin_port) == port else { continue }
            var on: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    // MARK: Translating

    private static func handle(_ request: HTTPRequest, _ respond: @Sendable (WebRequest) -> WebResponse) async -> HTTPResponse {
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name.rawValue.lowercased()] = value }
        let query = Dictionary(request.query.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        if let count = request.bodySequence.count, count > RequestBody.maximumBytes {
            // Refused unread: the connection is closed after the answer, since its bytes are left.
            var response = translate(.failure(tooLarge(count)))
            response.headers[.connection] = "close"
            return response
        }
        var body = Data()
        do {
            for try await chunk in request.bodySequence {
                body.append(chunk)
                if body.count > RequestBody.maximumBytes { return translate(.failure(tooLarge(nil))) }
            }
        } catch {
            return translate(.failure(RequestError(.badRequest, "the request's body could not be read: \(error.localizedDescription)")))
        }
        let web = WebRequest(method: request.method.rawValue, path: request.path, query: query, headers: headers, body: body)
        var response = respond(web)
        if web.method == "HEAD" { response.body = Data() }
        return translate(response)
    }

    private static func tooLarge(_ count: Int?) -> RequestError {
        RequestError(.payloadTooLarge, "the request body has \(count.map { "\($0) bytes" } ?? "more bytes than the limit"); the limit is \(RequestBody.maximumBytes) bytes")
    }

    private static func translate(_ response: WebResponse) -> HTTPResponse {
        var headers = HTTPHeaders()
        for (name, value) in response.headers { headers[HTTPHeader(name)] = value }
        return HTTPResponse(statusCode: HTTPStatusCode(response.status, phrase: phrases[response.status] ?? "Error"),
                            headers: headers, body: response.body)
    }

    private static let phrases = [200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
                                  413: "Payload Too Large", 415: "Unsupported Media Type", 500: "Internal Server Error"]
}

/// A server that cannot start.
public struct WebServerError: Error, CustomStringConvertible {
    public let description: String
}

extension Result {
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
}
