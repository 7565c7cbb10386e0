import Foundation
import Testing
@testable import Explorer
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics

/// Small trained models and sessions shared by the explorer's tests, made once per test run:
/// a plain VAE and a conditional one with label centres, each trained for one epoch on 4,096
/// images (64 updates of latent 4, channels [4, 8]: a second or two; enough to learn that the
/// background is black), checkpointed into a temporary folder by the course's own trainer,
/// exactly as `vae train` writes them.
enum Fixture {
    static let mnist = Result { try MNIST.load(split: .test) }

    /// The checkpoint of a tiny run, with its fingerprint (so a saved map can be found beside it).
    static func train(classes: Int, labelCentres: Bool, into folder: URL) throws -> URL {
        var model = VAEConfiguration(latentDimensions: 4, channels: [4, 8], classCount: classes)
        model.labelCentres = labelCentres
        let config = TrainingConfiguration(model: model, epochs: 1, batchSize: 64, learningRate: 3e-3, seed: 5, subset: 4096)
        let trainer = try Trainer(configuration: config, trainingSet: try mnist.get())
        trainer.dataDigest = trainer.trainingSet.contentDigest
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        try trainer.train(checkpoint: url)
        return url
    }

    static func folder(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vae-explorer-tests-\(name)-\(UUID().uuidString)", isDirectory: true)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The test images the sessions encode: the last 300 of MNIST's test split (not trained on).
    static func testImages() throws -> MNIST {
        let all = try mnist.get()
        return MNIST(images: Tensor(shape: [300, 1, 28, 28], scalars: Array(all.images.scalars[(9700 * 784)...])),
                     labels: Array(all.labels[9700...]))
    }

    static let plainCheckpoint = Result { try train(classes: 0, labelCentres: false, into: folder("plain")) }
    static let conditionalCheckpoint = Result { try train(classes: 10, labelCentres: true, into: folder("cvae")) }
    static let assets = Result { try WebAssets() }

    static let plain = Result { try routes(plainCheckpoint.get()) }
    static let conditional = Result { try routes(conditionalCheckpoint.get()) }

    static func routes(_ checkpoint: URL) throws -> ExplorerRoutes {
        ExplorerRoutes(session: try ExplorerSession.open(checkpoint: checkpoint, testSet: try testImages()), assets: try assets.get())
    }
}

extension ExplorerRoutes {
    /// A POST of `value` as JSON.
    func post(_ path: String, _ value: some Encodable) throws -> WebResponse {
        respond(to: try WebRequest.json("POST", path, value))
    }

    /// A POST of raw bytes.
    func post(_ path: String, raw: String, type: String = "application/json") -> WebResponse {
        respond(to: WebRequest(method: "POST", path: path, headers: ["Content-Type": type], body: Data(raw.utf8)))
    }

    func get(_ path: String) -> WebResponse { respond(to: WebRequest(method: "GET", path: path)) }
}

extension WebResponse {
    /// The body as a JSON object.
    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var errorMessage: String { object["error"] as? String ?? "" }
}

/// The PNG inside a `data:image/png;base64,` URL.
func pngOf(dataURL: Any?) throws -> PNG.Image {
    let text = try #require(dataURL as? String)
    #expect(text.hasPrefix("data:image/png;base64,"))
    let data = try #require(Data(base64Encoded: String(text.dropFirst("data:image/png;base64,".count))))
    return try PNG.read(data)
}
