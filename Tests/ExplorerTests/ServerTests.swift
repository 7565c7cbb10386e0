import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import Explorer
import VAECore

/// The real server on a loopback port: the routes through FlyingFox, and a body too large.
@Suite struct ServerTests {
    static func fetch(_ request: URLRequest) async throws -> (Int, Data, [String: String]) {
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        let headers = Dictionary(http.allHeaderFields.map { ("\($0.key)".lowercased(), "\($0.value)") }, uniquingKeysWith: { a, _ in a })
        return (http.statusCode, data, headers)
    }

    @Test func servesOnLoopback() async throws {
        let routes = try Fixture.plain.get()
        let server = try await WebServer(host: "127.0.0.1", port: 0, respond: routes.respond)
        let base = try await server.start()
        defer { Task { await server.stop() } }
        #expect(base.host == "127.0.0.1")

        let (status, page, headers) = try await Self.fetch(URLRequest(url: base))
        #expect(status == 200 && headers["content-type"]?.hasPrefix("text/html") == true && !page.isEmpty)

        var decode = URLRequest(url: base.appendingPathComponent("api/decode"))
        decode.httpMethod = "POST"
        decode.setValue("application/json", forHTTPHeaderField: "Content-Type")
        decode.httpBody = Data("{\"z\": [0, 1, 0, -1], \"scale\": 2}".utf8)
        let (decoded, png, pngHeaders) = try await Self.fetch(decode)
        #expect(decoded == 200 && pngHeaders["content-type"] == "image/png" && pngHeaders["server-timing"] != nil)
        #expect(try PNG.read(png).width == 56)

        decode.httpBody = Data("{\"z\": [0, 1".utf8)
        let (bad, message, _) = try await Self.fetch(decode)
        #expect(bad == 400 && String(decoding: message, as: UTF8.self).contains("not valid JSON"))

        var upload = URLRequest(url: base.appendingPathComponent("api/encode-image"))
        upload.httpMethod = "POST"
        upload.setValue("image/png", forHTTPHeaderField: "Content-Type")
        upload.httpBody = Data(count: RequestBody.maximumBytes + 10)
        let (tooLarge, _, _) = try await Self.fetch(upload)
        #expect(tooLarge == 413)

        let (missing, _, _) = try await Self.fetch(URLRequest(url: base.appendingPathComponent("no/such/page")))
        #expect(missing == 404)
        let (again, _, _) = try await Self.fetch(URLRequest(url: base.appendingPathComponent("api/info")))
        #expect(again == 200, "the server keeps serving after refusals")
    }

    /// A decode answers in milliseconds, not in the 40 ms of a delayed acknowledgement: the
    /// server's two writes per response (header, then body) must not wait for Nagle's algorithm.
    @Test func answersWithoutNaglesDelay() async throws {
        let routes = try Fixture.plain.get()
        let server = try await WebServer(host: "127.0.0.1", port: 0, respond: routes.respond)
        let base = try await server.start()
        defer { Task { await server.stop() } }
        var decode = URLRequest(url: base.appendingPathComponent("api/decode"))
        decode.httpMethod = "POST"
        decode.setValue("application/json", forHTTPHeaderField: "Content-Type")
        decode.httpBody = Data("{\"z\": [0, 1, 0, -1]}".utf8)
        var times: [Double] = []
        for _ in 0..<21 {
            let watch = Stopwatch()
            let (status, _, _) = try await Self.fetch(decode)
            times.append(watch.elapsedSeconds * 1000)
            #expect(status == 200)
        }
        let median = times.sorted()[times.count / 2]
        #expect(median < 25, "median round trip \(median) ms over loopback: is TCP_NODELAY set?")
    }

    @Test func refusesAnAddressThatIsNotIPv4() async throws {
        let routes = try Fixture.plain.get()
        await #expect(throws: RequestError.self) { _ = try await WebServer(host: "localhost", port: 0, respond: routes.respond) }
    }
}
