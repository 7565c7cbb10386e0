import Foundation
import VAECore

/// The explorer's routes, over one `ExplorerSession`:
///
///     GET  /                      the page (explorer.html); GET /static/NAME its files
///     GET  /api/info              the model, the latent size, labels, the PCA axes, the score's threshold
///     GET  /api/map               every test code on the PCA plane (and chapter 8's t-SNE), with its digit
///     GET  /api/test/N            test image N: its label, μ, σ and picture
///     POST /api/decode            {"z": [D numbers], "label"?, "sample"?, "seed"?, "scale"?} → image/png
///     POST /api/prior             {"temperature", "seed"} → {"z"}: a draw of N(0, T²I)
///     POST /api/interpolate       {"from": N, "to": M, "steps"?, "label"?} → the linear and the spherical path
///     POST /api/encode            {"pixels": [784 numbers in 0…1], "label"?, "centre"?} → μ, σ, reconstruction, ELBO, score
///     POST /api/encode-image      a PNG body (any size; query label=N) → the same, made MNIST-like first
///     POST /api/activations       {"index": N} or {"pixels": [784]} (+ "label") → every layer's feature maps
///
/// Every refusal is a 4xx with `{"error": "..."}`; nothing here writes a file.
public struct ExplorerRoutes: Sendable {
    public let session: ExplorerSession
    public let assets: WebAssets

    public init(session: ExplorerSession, assets: WebAssets) {
        self.session = session; self.assets = assets
    }

    /// The answer to any request.
    public func respond(to request: WebRequest) -> WebResponse {
        do {
            return try route(request)
        } catch let error as RequestError {
            return .failure(error)
        } catch let error as PNGError {
            return .failure(RequestError(.unsupportedMediaType, error.description))
        } catch {
            return .failure(RequestError(.badRequest, "\(error)"))
        }
    }

    private func route(_ request: WebRequest) throws -> WebResponse {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        func method(_ allowed: String) throws {
            guard request.method == allowed || (allowed == "GET" && request.method == "HEAD") else {
                throw RequestError(.methodNotAllowed, "\(request.path) takes \(allowed), not \(request.method)", allowed: allowed)
            }
        }
        switch parts.first {
        case nil:
            try method("GET"); return assets.response(for: "explorer.html")
        case "static" where parts.count == 2:
            try method("GET"); return assets.response(for: parts[1])
        case "api" where parts.count >= 2:
            switch (parts[1], parts.count) {
            case ("info", 2): try method("GET"); return .json(info)
            case ("map", 2): try method("GET"); return .json(map)
            case ("test", 3):
                try method("GET")
                guard let index = Int(parts[2]) else { throw RequestError(.badRequest, "/api/test/N takes a whole number N, not \(parts[2])") }
                return .json(try testImage(index))
            case ("decode", 2): try method("POST"); return try decode(request)
            case ("prior", 2): try method("POST"); return try prior(request)
            case ("interpolate", 2): try method("POST"); return try interpolate(request)
            case ("encode", 2): try method("POST"); return try encode(request)
            case ("encode-image", 2): try method("POST"); return try encodeImage(request)
            case ("activations", 2): try method("POST"); return try activations(request)
            default: break
            }
        default: break
        }
        throw RequestError(.notFound, "there is no route \(request.method) \(request.path) (the page is at /, its API under /api/)")
    }

    // MARK: Reading

    struct Info: Encodable {
        var checkpoint: String, summary: String, parameters: Int, epoch: Int?
        var latentDimensions: Int, classCount: Int, labelCentres: Bool, likelihood: String, sampleName: String
        var testImages: Int, openingSeconds: Double
        var pcaCentre: [Double], pcaAxes: [[Double]], pcaExplained: Double
        var score: String, scoreExplanation: String, threshold: Double, quantile: Double, testMedian: Double
        var tsne: String?, tsneNote: String?
        var largestCode: Double
    }

    /// The checkpoint's path as the page shows it: relative to the folder the server runs in when
    /// it lies under it (`runs/vae/checkpoint.safetensors`, as it was typed), so that the page and
    /// its screenshots name no machine's folders; a path elsewhere in full.
    static func shownPath(_ url: URL, from folder: String = FileManager.default.currentDirectoryPath) -> String {
        let path = url.standardizedFileURL.path
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    var info: Info {
        let s = session, c = s.configuration
        return Info(checkpoint: Self.shownPath(s.checkpointURL), summary: s.summary, parameters: s.parameterCount, epoch: s.epoch,
                    latentDimensions: c.latentDimensions, classCount: c.classCount, labelCentres: c.labelCentres,
                    likelihood: c.likelihood.summary,
                    sampleName: c.likelihood.binarizesData ? "a Bernoulli sample" : "a sample of p(x|z)",
                    testImages: s.test.count, openingSeconds: s.openingSeconds,
                    pcaCentre: s.pca.centre, pcaAxes: Array(s.pca.axes.prefix(2)), pcaExplained: s.pca.explained(2),
                    score: s.score.name, scoreExplanation: s.score.explanation, threshold: s.reference.threshold,
                    quantile: s.reference.quantile, testMedian: s.reference.value(at: 0.5),
                    tsne: s.savedMap?.method, tsneNote: s.savedMapNote, largestCode: ExplorerSession.largestCode)
    }

    struct Map: Encodable {
        var labels: [Int]
        var pca: [Float]
        var tsne: [Float]?
        var tsneCount: Int
    }

    var map: Map {
        Map(labels: session.labels, pca: session.pcaPoints, tsne: session.savedMap?.points, tsneCount: session.savedMap?.labels.count ?? 0)
    }

    struct TestImage: Encodable {
        var index: Int, label: Int, mu: [Float], sigma: [Float], image: String
    }

    func testImage(_ index: Int) throws -> TestImage {
        let i = try session.checkedIndex(index)
        return TestImage(index: i, label: session.labels[i], mu: session.mean(i), sigma: session.sigma(i),
                         image: Tiles.dataURL(picture([session.testPixels(i)])))
    }

    // MARK: Decoding

    struct DecodeRequest: Decodable {
        var z: [Double]
        var label: Int?
        var sample: Bool?
        var seed: UInt64?
        var scale: Int?
    }

    /// The largest enlargement of a decoded image (28·12 = 336 pixels).
    static let largestScale = 12

    func decode(_ request: WebRequest) throws -> WebResponse {
        let watch = Stopwatch()
        let body = try RequestBody.decode(DecodeRequest.self, from: request)
        let z = try session.checkedCode(body.z)
        let labels = try session.checkedLabel(body.label)
        let scale = body.scale ?? 1
        guard (1...ExplorerRoutes.largestScale).contains(scale) else {
            throw RequestError(.badRequest, "scale must lie in 1…\(ExplorerRoutes.largestScale), not \(scale)")
        }
        let image = try session.decode(z, count: 1, labels: labels, sample: body.sample ?? false, seed: body.seed ?? 1)
        return WebResponse.png(picture([image.scalars], scale: scale)).timed("decode", seconds: watch.elapsedSeconds)
    }

    struct PriorRequest: Decodable { var temperature: Double; var seed: UInt64 }
    struct Code: Encodable { var z: [Float] }

    /// The largest temperature: codes of N(0, T²I) beyond it leave the region the decoder knows.
    static let largestTemperature = 3.0

    func prior(_ request: WebRequest) throws -> WebResponse {
        let body = try RequestBody.decode(PriorRequest.self, from: request)
        guard body.temperature.isFinite, (0...ExplorerRoutes.largestTemperature).contains(body.temperature) else {
            throw RequestError(.badRequest, "temperature must lie in 0…\(ExplorerRoutes.largestTemperature), not \(body.temperature)")
        }
        var random = RandomSource(seed: body.seed)
        let z = Tensor.gaussian([1, session.configuration.latentDimensions], standardDeviation: Float(body.temperature), using: &random)
        return .json(Code(z: z.scalars))
    }

    struct InterpolateRequest: Decodable { var from: Int; var to: Int; var steps: Int?; var label: Int? }
    struct Paths: Encodable { var linear: String; var spherical: String; var t: [Float]; var labels: [Int] }

    static let largestSteps = 16

    func interpolate(_ request: WebRequest) throws -> WebResponse {
        let watch = Stopwatch()
        let body = try RequestBody.decode(InterpolateRequest.self, from: request)
        let a = try session.checkedIndex(body.from, name: "from"), b = try session.checkedIndex(body.to, name: "to")
        let steps = body.steps ?? 10
        guard (2...ExplorerRoutes.largestSteps).contains(steps) else {
            throw RequestError(.badRequest, "steps must lie in 2…\(ExplorerRoutes.largestSteps), not \(steps)")
        }
        // A conditional model decodes the whole path under one label: the start's, unless given.
        let label = try session.checkedLabel(session.configuration.classCount > 0 ? (body.label ?? session.labels[a]) : nil)
        let (za, zb) = (session.mean(a), session.mean(b))
        let ts = (0..<steps).map { Float($0) / Float(steps - 1) }
        let linear = ts.flatMap { t in zip(za, zb).map { (1 - t) * $0 + t * $1 } }
        let spherical = ts.flatMap { slerp(za, zb, $0) }
        let labels = label.map { [Int](repeating: $0[0], count: 2 * steps) }
        let images = try session.decode(linear + spherical, count: 2 * steps, labels: labels, sample: false, seed: 1).scalars
        let rows = (0..<(2 * steps)).map { Array(images[($0 * 784)..<(($0 + 1) * 784)]) }
        return WebResponse.json(Paths(linear: Tiles.dataURL(picture(Array(rows[0..<steps]), columns: steps)),
                                      spherical: Tiles.dataURL(picture(Array(rows[steps...]), columns: steps)),
                                      t: ts, labels: [session.labels[a], session.labels[b]]))
            .timed("interpolate", seconds: watch.elapsedSeconds)
    }

    // MARK: Encoding

    struct EncodeRequest: Decodable { var pixels: [Double]; var label: Int?; var centre: Bool? }

    struct EncodeAnswer: Encodable {
        var encoding: ExplorerSession.Encoding
        var inputImage: String
        var reconstructionImage: String
    }

    func encode(_ request: WebRequest) throws -> WebResponse {
        let body = try RequestBody.decode(EncodeRequest.self, from: request)
        var pixels = try checkedPixels(body.pixels)
        if body.centre == true { pixels = try DigitImage.mnistStyle(PNG.Image(width: 28, height: 28, grey: pixels)) }
        return try answer(pixels, label: body.label)
    }

    func encodeImage(_ request: WebRequest) throws -> WebResponse {
        guard !request.body.isEmpty else { throw RequestError(.badRequest, "the upload is empty: send a PNG image as the body") }
        guard request.body.count <= RequestBody.maximumBytes else {
            throw RequestError(.payloadTooLarge, "the upload has \(request.body.count) bytes; a digit's picture needs far less than the limit of \(RequestBody.maximumBytes)")
        }
        if let type = request.headers["content-type"], !type.lowercased().hasPrefix("image/png"), !type.lowercased().hasPrefix("application/octet-stream") {
            throw RequestError(.unsupportedMediaType, "send a PNG image (image/png), not \(type)")
        }
        let image = try PNG.read(request.body)
        let label = try request.query["label"].map { text -> Int in
            guard let value = Int(text) else { throw RequestError(.badRequest, "label must be a whole number, not \(text)") }
            return value
        }
        return try answer(try DigitImage.mnistStyle(image), label: label)
    }

    private func answer(_ pixels: [Float], label: Int?) throws -> WebResponse {
        let watch = Stopwatch()
        let labels = try session.checkedLabel(label)
        let encoding = try session.encode(pixels, labels: labels)
        return WebResponse.json(EncodeAnswer(encoding: encoding, inputImage: Tiles.dataURL(picture([encoding.input])),
                                             reconstructionImage: Tiles.dataURL(picture([encoding.reconstruction]))))
            .timed("encode", seconds: watch.elapsedSeconds)
    }

    /// 784 finite values in [0, 1].
    func checkedPixels(_ pixels: [Double]) throws -> [Float] {
        guard pixels.count == 784 else { throw RequestError(.badRequest, "pixels must hold 784 values (28 × 28, row by row), not \(pixels.count)") }
        if let bad = pixels.firstIndex(where: { !($0.isFinite && $0 >= 0 && $0 <= 1) }) {
            throw RequestError(.badRequest, "pixels[\(bad)] = \(pixels[bad]) is not in [0, 1]")
        }
        return pixels.map { Float($0) }
    }

    // MARK: Layers

    struct ActivationsRequest: Decodable { var index: Int?; var pixels: [Double]?; var label: Int? }

    struct LayerPicture: Encodable {
        var name: String, layer: String, shape: [Int]
        var minimum: Float, maximum: Float, mean: Float
        /// The share of exact zeros (a ReLU's inactive units).
        var zeros: Float
        var image: String
        var columns: Int
    }

    struct LayerAnswer: Encodable { var encoder: [LayerPicture]; var decoder: [LayerPicture]; var source: String }

    func activations(_ request: WebRequest) throws -> WebResponse {
        let watch = Stopwatch()
        let body = try RequestBody.decode(ActivationsRequest.self, from: request)
        let pixels: [Float], source: String
        var label = body.label
        switch (body.index, body.pixels) {
        case (let index?, nil):
            let i = try session.checkedIndex(index)
            pixels = Array(session.test.images.scalars[(i * 784)..<((i + 1) * 784)])
            if label == nil { label = session.labels[i] }
            source = "test image \(i) (a \(session.labels[i]))"
        case (nil, let given?):
            pixels = try checkedPixels(given); source = "the drawn digit"
        default:
            throw RequestError(.badRequest, "give either index (a test image) or pixels (784 values), not both or neither")
        }
        let (encoder, decoder) = try session.activations(pixels, labels: try session.checkedLabel(label))
        return WebResponse.json(LayerAnswer(encoder: encoder.map(ExplorerRoutes.picture), decoder: decoder.map(ExplorerRoutes.picture), source: source))
            .timed("activations", seconds: watch.elapsedSeconds)
    }

    /// One layer's output as a picture: each channel a tile, stretched by its own range; a flat
    /// output as one tile of about square shape.
    static func picture(_ activation: VAE.Activation) -> LayerPicture {
        let out = activation.output
        let values = out.scalars
        let shape = Array(out.shape.dropFirst())
        var tiles: Tiles
        if shape.count == 3 {
            let (c, h, w) = (shape[0], shape[1], shape[2])
            tiles = Tiles(tileWidth: w, tileHeight: h, columns: min(c, max(1, Int(Double(c).squareRoot().rounded(.up)))))
            for k in 0..<c { tiles.append(Tiles.stretched(values[(k * h * w)..<((k + 1) * h * w)])) }
        } else {
            let n = values.count
            let w = max(1, Int(Double(n).squareRoot().rounded(.up))), h = (n + w - 1) / w
            tiles = Tiles(tileWidth: w, tileHeight: h, columns: 1)
            let padding = [Float](repeating: Float(Tiles.background) / 255, count: w * h - n)
            tiles.append(Tiles.stretched(values) + padding)
        }
        let zeros = Float(values.filter { $0 == 0 }.count) / Float(max(values.count, 1))
        return LayerPicture(name: activation.name, layer: activation.layer, shape: shape,
                            minimum: values.min() ?? 0, maximum: values.max() ?? 0,
                            mean: Float(out.mean()), zeros: zeros, image: Tiles.dataURL(tiles.png()), columns: tiles.columns)
    }

    /// Digits (784 values each) side by side, `columns` to a row.
    func picture(_ images: [[Float]], columns: Int? = nil, scale: Int = 1) -> Data {
        var tiles = Tiles(tileWidth: 28, tileHeight: 28, columns: columns ?? images.count, gap: 2)
        for image in images { tiles.append(image) }
        return tiles.png(scale: scale)
    }
}
