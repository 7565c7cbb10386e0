import FlyingFox
import Foundation

/// The live view's routes, over one `LiveBoard`:
///
///     GET /                              the page (live.html); GET /static/NAME its files
///     GET /api/live/state?steps=S&epochs=E   what is new since S steps and E epochs (JSON)
///     GET /api/live/epoch/N/samples.png        the fixed codes decoded after epoch N
///     GET /api/live/epoch/N/reconstructions.png  the first test digits and their reconstructions
///     WS  /api/live/stream                the same updates pushed, four times a second (`LiveStream`)
public struct LiveRoutes: Sendable {
    public let board: LiveBoard
    public let assets: WebAssets

    public init(board: LiveBoard, assets: WebAssets) {
        self.board = board; self.assets = assets
    }

    public func respond(to request: WebRequest) -> WebResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        guard request.method == "GET" || request.method == "HEAD" else {
            return .failure(RequestError(.methodNotAllowed, "the live view takes GET requests only, not \(request.method)", allowed: "GET"))
        }
        switch parts.count {
        case 0: return assets.response(for: "live.html")
        case 2 where parts[0] == "static": return assets.response(for: parts[1])
        case 3 where parts[0] == "api" && parts[1] == "live" && parts[2] == "state":
            func cursor(_ name: String) throws -> Int {
                guard let text = request.query[name] else { return 0 }
                guard let value = Int(text), value >= 0 else { throw RequestError(.badRequest, "\(name) must be a whole number ≥ 0, not \(text)") }
                return value
            }
            do {
                return .json(board.update(fromStep: try cursor("steps"), fromEpoch: try cursor("epochs")))
            } catch let error as RequestError { return .failure(error) } catch { return .failure(RequestError(.badRequest, "\(error)")) }
        case 5 where parts[0] == "api" && parts[1] == "live" && parts[2] == "epoch":
            guard let epoch = Int(parts[3]), parts[4].hasSuffix(".png") else { break }
            let kind = String(parts[4].dropLast(4))
            guard let png = board.picture(epoch: epoch, kind: kind) else {
                return .failure(RequestError(.notFound, "there is no picture \(parts[4]) of epoch \(epoch) (yet)"))
            }
            var response = WebResponse.png(png)
            response.headers["Cache-Control"] = "max-age=3600"               // an epoch's pictures never change
            return response
        default: break
        }
        return .failure(RequestError(.notFound, "there is no route \(request.method) \(request.path) in the live view"))
    }
}

/// The WebSocket of the live view: after the first message (everything so far), every quarter
/// of a second a message with what is new, as `LiveBoard.Update` JSON; nothing when nothing
/// changed. The stream ends when the page goes away.
public struct LiveStream: WSMessageHandler {
    public let board: LiveBoard
    /// Time between two looks at the board.
    public static let interval: Duration = .milliseconds(250)

    public init(board: LiveBoard) { self.board = board }

    public func makeMessages(for client: AsyncStream<WSMessage>) async throws -> AsyncStream<WSMessage> {
        let board = self.board
        return AsyncStream { continuation in
            let sender = Task {
                var steps = 0, epochs = 0, status = ""
                let encoder = JSONEncoder()
                while !Task.isCancelled {
                    let update = board.update(fromStep: steps, fromEpoch: epochs)
                    if !update.isEmpty || update.status != status || (steps == 0 && epochs == 0 && status.isEmpty) {
                        guard let data = try? encoder.encode(update) else { break }
                        continuation.yield(.text(String(decoding: data, as: UTF8.self)))
                        steps = update.fromStep + update.step.count
                        epochs = update.fromEpoch + update.epochs.count
                        status = update.status
                    }
                    try? await Task.sleep(for: LiveStream.interval)
                }
                continuation.finish()
            }
            let listener = Task {
                for await message in client { if case .close = message { break } }   // the page's messages are not needed
                sender.cancel()
            }
            continuation.onTermination = { _ in sender.cancel(); listener.cancel() }
        }
    }
}
