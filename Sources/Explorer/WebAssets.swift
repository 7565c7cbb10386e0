import Foundation

/// The page's files (HTML, CSS, plain JavaScript), shipped in `Sources/Explorer/Resources/web`
/// and read once at start: nothing is fetched from elsewhere, so the page works offline.
///
/// Only the files found there are served, by name: a request for anything else (`../x`, a
/// folder) is a 404, never a read from the disk.
public struct WebAssets: Sendable {
    /// The files by name ("explorer.js"), with their content types.
    public let files: [String: (type: String, data: Data)]

    /// The folder of the page's files: SwiftPM's resource bundle beside the executable
    /// (`VAECourse_Explorer.resources/web`), or the checkout's `Sources/Explorer/Resources/web`.
    /// Looked for by hand, as `DatasetKind.bundledDirectory` does, rather than through
    /// `Bundle.module`, which traps when its bundle is missing.
    public static var folder: URL {
        let bundleName = "VAECourse_Explorer.resources"
        let executableFolder = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        let sourceTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/web")
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent(bundleName).appendingPathComponent("web"),
            executableFolder.appendingPathComponent(bundleName).appendingPathComponent("web"),
            sourceTree,
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("explorer.html").path) } ?? sourceTree
    }

    /// Reads every file of `folder`.
    /// - Throws: when the folder or the explorer's page is missing.
    public init(folder: URL = WebAssets.folder) throws {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw RequestError(.internalError, "the explorer's page is missing: no folder \(folder.path)")
        }
        var files: [String: (String, Data)] = [:]
        for name in names where !name.hasPrefix(".") {
            guard let type = WebAssets.types[(name as NSString).pathExtension] else { continue }
            files[name] = (type, try Data(contentsOf: folder.appendingPathComponent(name)))
        }
        guard files["explorer.html"] != nil, files["live.html"] != nil else {
            throw RequestError(.internalError, "the explorer's pages are missing from \(folder.path)")
        }
        self.files = files
    }

    static let types = ["html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
                        "js": "text/javascript; charset=utf-8", "png": "image/png", "svg": "image/svg+xml"]

    /// The response for `GET /static/NAME` (or the page itself).
    public func response(for name: String) -> WebResponse {
        guard let file = files[name] else { return .failure(RequestError(.notFound, "there is no file \(name)")) }
        return WebResponse(headers: ["Content-Type": file.type, "Cache-Control": "no-cache"], body: file.data)
    }
}
