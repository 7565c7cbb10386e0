import FlyingFox
import FlyingSocks
import Synchronization
import Foundation

/// The HTTP server behind `vae explore` and `vae train --live`: FlyingFox (HTTP/1.1 and
/// WebSockets on Swift concurrency and the system's sockets), translating its requests into
/// `WebRequest`s for the routes and their `WebResponse`s back.
///
/// It listens on 127.0.0.1 unless told otherwise: the page is for the person at this machine.
/// Its front door (`RequestGate`) holds the TCP port and hands FlyingFox only requests within
/// its limits: a request line over 8 KiB is refused with 414, header fields over 16 KiB with
/// 431, a Host other than this machine's loopback names (and `allowedHosts`) with 421, a body
/// larger than `RequestBody.maximumBytes` with 413 before it is read.
public final class WebServer: Sendable {
    public let host: String
    private let port: UInt16
    private let allowedHosts: AllowedHosts
    private let server: HTTPServer
    /// Where FlyingFox listens: a socket in Linux's abstract namespace, which only processes of
    /// this machine can reach (as they can reach 127.0.0.1) and a browser never can; it leaves
    /// nothing on disk. Elsewhere a socket file in the temporary folder.
    private let inside: sockaddr_un
    private let gate = Mutex<Task<Void, any Error>?>(nil)

    /// - Parameters:
    ///   - host: an IPv4 address to listen on (127.0.0.1: this machine only; 0.0.0.0: every network).
    ///   - port: the TCP port; 0 lets the system choose a free one (`start` says which).
    ///   - allowedHosts: the names a request's Host may give besides the loopback ones.
    ///   - respond: the routes.
    ///   - stream: the WebSocket at `streamPath`, if any.
    public init(host: String, port: UInt16, allowedHosts: AllowedHosts = .loopback, streamPath: String = "/api/live/stream",
                stream: (any WSMessageHandler)? = nil, respond: @escaping @Sendable (WebRequest) -> WebResponse) async throws {
        do { _ = try sockaddr_in.inet(ip4: host, port: port) } catch {
            throw RequestError(.badRequest, "--host takes an IPv4 address such as 127.0.0.1 or 0.0.0.0, not '\(host)'")
        }
        self.host = host
        self.port = port
        // The address listened on, when it is one address, is what its users type: accepted.
        self.allowedHosts = host == "0.0.0.0" ? allowedHosts : allowedHosts.adding(host)
        #if canImport(Glibc)
        inside = .unix(abstractNamespace: "vae-web-\(UUID().uuidString)")
        #else
        inside = .unix(path: FileManager.default.temporaryDirectory.appendingPathComponent("vae-web-\(UUID().uuidString.prefix(8)).sock").path)
        #endif
        server = HTTPServer(address: inside, timeout: 60, logger: .disabled)
        if let stream { await server.appendRoute(HTTPRoute("GET \(streamPath)"), to: .webSocket(stream)) }
        await server.appendRoute("*") { request in await WebServer.handle(request, respond) }
    }

    /// Whether `host` is an address of the loopback interface (127.0.0.0/8): reachable from
    /// this machine only.
    public static func isLoopback(_ host: String) -> Bool { host.split(separator: ".").first == "127" }

    /// Starts listening, in the background, and returns the page's address once it listens:
    /// on this machine, so 127.0.0.1 when listening on every interface (0.0.0.0).
    /// - Throws: `WebServerError` when the port is taken or the address cannot be used, in words.
    public func start() async throws -> URL {
        let door = try RequestGate(host: host, port: port, upstream: inside, allowedHosts: allowedHosts)
        let server = self.server
        let running = Task { try await server.run() }
        do {
            try await server.waitUntilListening(timeout: 10)
        } catch {
            running.cancel()
            door.abandon()
            if let failure = await running.result.failure { throw WebServerError(description: "cannot start the server: \(failure.localizedDescription)") }
            throw WebServerError(description: "the server did not start listening")
        }
        gate.withLock { $0 = Task { try await door.run() } }
        return URL(string: "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(door.port)/")!
    }

    /// Stops listening and closes the connections.
    public func stop() async {
        gate.withLock { $0?.cancel() }
        await server.stop(timeout: 1)
    }

    /// Starts the server, prints its address with `announce`, and blocks the calling thread for
    /// as long as the server runs (until the process is interrupted). For the synchronous
    /// commands of `vae`.
    public static func serveForever(host: String, port: UInt16, allowedHosts: AllowedHosts = .loopback,
                                    stream: (any WSMessageHandler)? = nil,
                                    respond: @escaping @Sendable (WebRequest) -> WebResponse,
                                    announce: @escaping @Sendable (URL) -> Void) throws {
        let url = try blocking { () async throws -> URL in
            let server = try await WebServer(host: host, port: port, allowedHosts: allowedHosts, stream: stream, respond: respond)
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
        return HTTPResponse(statusCode: HTTPStatusCode(response.status, phrase: phrase(response.status)),
                            headers: headers, body: response.body)
    }

    /// The reason phrase of `status`.
    static func phrase(_ status: Int) -> String { phrases[status] ?? "Error" }

    private static let phrases = [200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
                                  411: "Length Required", 413: "Payload Too Large", 414: "URI Too Long",
                                  415: "Unsupported Media Type", 421: "Misdirected Request",
                                  431: "Request Header Fields Too Large", 500: "Internal Server Error"]
}

/// A server that cannot start.
public struct WebServerError: Error, CustomStringConvertible {
    public let description: String
}

extension Result {
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
}
