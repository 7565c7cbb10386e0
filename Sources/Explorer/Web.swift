import Foundation

/// An HTTP request as the explorer's routes see it: independent of the server library, so that
/// the routes are tested in-process, and the server (`WebServer`) only translates.
public struct WebRequest: Sendable {
    public var method: String
    /// The path without the query, such as "/api/decode".
    public var path: String
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: Data

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: Data = Data()) {
        self.method = method.uppercased(); self.path = path; self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
    }

    /// A JSON body of `value`.
    public static func json(_ method: String, _ path: String, _ value: some Encodable) throws -> WebRequest {
        WebRequest(method: method, path: path, headers: ["content-type": "application/json"], body: try JSONEncoder().encode(value))
    }
}

/// An HTTP response: status, headers, body.
public struct WebResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int = 200, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status; self.headers = headers; self.body = body
    }

    public var contentType: String? { headers["Content-Type"] }

    /// `value` as JSON.
    public static func json(_ value: some Encodable, status: Int = 200) -> WebResponse {
        do {
            return WebResponse(status: status, headers: ["Content-Type": "application/json; charset=utf-8"],
                               body: try JSONEncoder().encode(value))
        } catch {
            return .failure(RequestError(.internalError, "the answer could not be written as JSON: \(error)"))
        }
    }

    /// A PNG image.
    public static func png(_ data: Data) -> WebResponse {
        WebResponse(headers: ["Content-Type": "image/png", "Cache-Control": "no-store"], body: data)
    }

    /// An error as `{"error": message}` with its status.
    public static func failure(_ error: RequestError) -> WebResponse {
        var response = WebResponse(status: error.status.rawValue, headers: ["Content-Type": "application/json; charset=utf-8"],
                                   body: (try? JSONEncoder().encode(["error": error.message])) ?? Data())
        if error.status == .methodNotAllowed, let allowed = error.allowed { response.headers["Allow"] = allowed }
        return response
    }

    /// Adds the time the server spent, as the `Server-Timing` header the page reads
    /// (`name;dur=milliseconds`).
    public func timed(_ name: String, seconds: Double) -> WebResponse {
        var copy = self
        copy.headers["Server-Timing"] = String(format: "%@;dur=%.3f", name, seconds * 1000)
        return copy
    }
}

/// A request the explorer refuses, with the status and a message in words.
public struct RequestError: Error, CustomStringConvertible, Equatable {
    public enum Status: Int, Sendable {
        case badRequest = 400, notFound = 404, methodNotAllowed = 405, lengthRequired = 411, payloadTooLarge = 413,
             uriTooLong = 414, unsupportedMediaType = 415, misdirectedRequest = 421, headerFieldsTooLarge = 431,
             internalError = 500
    }
    public let status: Status
    public let message: String
    /// The methods a route takes (405 only).
    public var allowed: String?

    public init(_ status: Status, _ message: String, allowed: String? = nil) {
        self.status = status; self.message = message; self.allowed = allowed
    }

    public var description: String { "\(status.rawValue): \(message)" }
}

/// The JSON bodies of requests, decoded and refused in words.
enum RequestBody {
    /// The largest request body: a 28 × 28 digit as JSON takes about 10 kB, an uploaded picture
    /// a few hundred; a megabyte leaves room and refuses what is not a digit.
    static let maximumBytes = 1 << 20

    static func decode<T: Decodable>(_ type: T.Type, from request: WebRequest) throws -> T {
        guard !request.body.isEmpty else { throw RequestError(.badRequest, "the request has no body: send a JSON object") }
        if let type = request.headers["content-type"], !type.lowercased().hasPrefix("application/json") {
            throw RequestError(.unsupportedMediaType, "send the request as application/json, not \(type)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: request.body)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                // Foundation says no more for a number out of its field's range (-1 for a seed, 1e400).
                throw RequestError(.badRequest, "the request body is not valid JSON, or one of its numbers does not fit its field "
                                   + "(NaN and Infinity are not JSON; a seed is a whole number ≥ 0; every number must fit a double)")
            }
            throw RequestError(.badRequest, "the request is not the JSON this route takes: \(error.explanation)")
        } catch {
            throw RequestError(.badRequest, "the request body is not valid JSON: \(error.localizedDescription)")
        }
    }

}
