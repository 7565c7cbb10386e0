import Foundation
import Testing
@testable import Explorer
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics

/// The explorer's routes, in-process: what each answers, and every refusal (a 4xx with a
/// message, after which the next request is answered as before; the checkpoint untouched).
@Suite struct ExplorerRouteTests {
    @Test func infoDescribesTheModel() throws {
        let routes = try Fixture.plain.get()
        let info = routes.get("/api/info")
        #expect(info.status == 200 && info.contentType?.hasPrefix("application/json") == true)
        #expect(info.object["latentDimensions"] as? Int == 4)
        #expect(info.object["classCount"] as? Int == 0)
        #expect(info.object["testImages"] as? Int == 300)
        let axes = try #require(info.object["pcaAxes"] as? [[Double]])
        #expect(axes.count == 2 && axes.allSatisfy { $0.count == 4 })
        let threshold = try #require(info.object["threshold"] as? Double)
        #expect(threshold.isFinite && threshold > (info.object["testMedian"] as? Double ?? .infinity))
    }

    /// The page names the checkpoint as typed in the folder the server runs in, never that
    /// folder's own place on the machine; a checkpoint elsewhere keeps its whole path.
    @Test func theCheckpointIsShownRelativeToTheServersFolder() {
        let inside = URL(fileURLWithPath: "/srv/course/runs/vae/checkpoint.safetensors")
        #expect(ExplorerRoutes.shownPath(inside, from: "/srv/course") == "runs/vae/checkpoint.safetensors")
        #expect(ExplorerRoutes.shownPath(inside, from: "/srv/course/") == "runs/vae/checkpoint.safetensors")
        #expect(ExplorerRoutes.shownPath(inside, from: "/srv/cour") == "/srv/course/runs/vae/checkpoint.safetensors",
                "a folder whose name only begins the path is not its parent")
        #expect(ExplorerRoutes.shownPath(URL(fileURLWithPath: "/tmp/x.safetensors"), from: "/srv/course") == "/tmp/x.safetensors")
    }

    @Test func theMapHoldsEveryTestCode() throws {
        let map = try Fixture.plain.get().get("/api/map")
        let labels = try #require(map.object["labels"] as? [Int])
        let pca = try #require(map.object["pca"] as? [Double])
        #expect(labels.count == 300 && pca.count == 600)
        #expect(map.object["tsne"] == nil || map.object["tsne"] is NSNull)
    }

    @Test func decodeReturnsAPNGOfTheDigit() throws {
        let routes = try Fixture.plain.get()
        let small = try routes.post("/api/decode", ["z": [0.0, 0, 0, 0]])
        #expect(small.status == 200 && small.contentType == "image/png")
        #expect(small.headers["Server-Timing"]?.hasPrefix("decode;dur=") == true)
        let image = try PNG.read(small.body)
        #expect(image.width == 28 && image.height == 28)

        struct Scaled: Encodable { var z: [Double]; var scale: Int }
        let big = try routes.post("/api/decode", Scaled(z: [0, 0, 0, 0], scale: 8))
        let enlarged = try PNG.read(big.body)
        #expect(enlarged.width == 224 && enlarged.height == 224)
        // Nearest-neighbour enlargement: each 8 × 8 block is one pixel of the small image.
        #expect(enlarged.grey[(8 * 10 + 3) * 224 + 8 * 17 + 5] == image.grey[10 * 28 + 17])

        // The decoder's mean at z is σ(decoder(z)), as the model computes it.
        let session = routes.session
        let expected = try session.decode([0, 0, 0, 0], count: 1, labels: nil, sample: false, seed: 1).scalars
        for (a, b) in zip(image.grey, expected) { #expect(abs(a - b) <= 0.5 / 255 + 1e-6) }

        // Another z, another image.
        let other = try PNG.read(try routes.post("/api/decode", ["z": [2.5, -2, 1, 0]]).body)
        #expect(other.grey != image.grey)
    }

    @Test func aSampleIsBinaryAndSeeded() throws {
        struct Request: Encodable { var z: [Double]; var sample: Bool; var seed: UInt64 }
        let routes = try Fixture.plain.get()
        let a = try PNG.read(try routes.post("/api/decode", Request(z: [0.5, 0, 0, 0], sample: true, seed: 3)).body)
        let b = try PNG.read(try routes.post("/api/decode", Request(z: [0.5, 0, 0, 0], sample: true, seed: 3)).body)
        let c = try PNG.read(try routes.post("/api/decode", Request(z: [0.5, 0, 0, 0], sample: true, seed: 4)).body)
        #expect(a.grey.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(a == b && a != c)
    }

    @Test func encodeGivesMuAndSigmaOfTheRightLength() throws {
        let routes = try Fixture.plain.get()
        // Test image 7 as the test set was scored (binarized once): binary pixels stay as they are.
        let pixels = routes.session.test.images.scalars[(7 * 784)..<(8 * 784)].map(Double.init)
        let answer = try routes.post("/api/encode", ["pixels": pixels])
        #expect(answer.status == 200)
        let encoding = try #require(answer.object["encoding"] as? [String: Any])
        let mu = try #require(encoding["mu"] as? [Double]), sigma = try #require(encoding["sigma"] as? [Double])
        #expect(mu.count == 4 && sigma.count == 4 && sigma.allSatisfy { $0 > 0 })
        // The same μ as the test set's encoding of that image (binarized alike).
        for (a, b) in zip(mu, routes.session.mean(7)) { #expect(abs(a - Double(b)) < 1e-5) }
        let elbo = try #require(encoding["elbo"] as? Double)
        let kl = try #require(encoding["kl"] as? Double), reconstruction = try #require(encoding["reconstructionTerm"] as? Double)
        #expect(abs(elbo + kl + reconstruction) < 1e-6)
        #expect(encoding["outOfDistribution"] as? Bool != nil)
        let picture = try pngOf(dataURL: answer.object["reconstructionImage"])
        #expect(picture.width == 28 && picture.height == 28)
    }

    @Test func anUploadedPictureIsEncoded() throws {
        let routes = try Fixture.plain.get()
        // Test image 3, drawn 4 times larger as black ink on white: made MNIST-like, encoded.
        let grey = routes.session.testPixels(3)
        var big = [UInt8](repeating: 0, count: 112 * 112)
        for y in 0..<112 { for x in 0..<112 { big[y * 112 + x] = 255 - UInt8((grey[(y / 4) * 28 + x / 4] * 255).rounded()) } }
        let upload = WebRequest(method: "POST", path: "/api/encode-image", headers: ["Content-Type": "image/png"],
                                body: PNG.grey(width: 112, height: 112, pixels: big))
        let answer = routes.respond(to: upload)
        #expect(answer.status == 200, "\(answer.errorMessage)")
        let mu = try #require((answer.object["encoding"] as? [String: Any])?["mu"] as? [Double])
        #expect(mu.count == 4)
        let seen = try pngOf(dataURL: answer.object["inputImage"])
        #expect(seen.width == 28 && seen.grey.reduce(0, +) > 20, "the digit, light on dark")
    }

    @Test func noiseLooksOutOfDistribution() throws {
        let routes = try Fixture.plain.get()
        let session = routes.session
        var random = RandomSource(seed: 9)
        let noise = (0..<784).map { _ in Double(random.uniform()) }
        let answer = try routes.post("/api/encode", ["pixels": noise])
        let encoding = try #require(answer.object["encoding"] as? [String: Any])
        #expect(encoding["outOfDistribution"] as? Bool == true, "uniform noise scored \(encoding["score"] ?? "?") against \(session.reference.threshold)")
        #expect(encoding["percentile"] as? Double == 1)
        // Test digits mostly pass: of the first 20, at most a few above the 99th percentile.
        var flagged = 0
        for i in 0..<20 {
            let digit = try routes.post("/api/encode", ["pixels": session.testPixels(i).map(Double.init)])
            let e = try #require(digit.object["encoding"] as? [String: Any])
            let score = try #require(e["score"] as? Double)
            #expect(e["outOfDistribution"] as? Bool == (score > session.reference.threshold))
            #expect(abs((e["percentile"] as? Double ?? -1) - session.reference.percentile(of: score)) < 1e-12)   // JSON's last bit
            if score > session.reference.threshold { flagged += 1 }
        }
        #expect(flagged <= 3, "\(flagged) of 20 test digits flagged")
    }

    @Test func interpolationDecodesBothPaths() throws {
        let routes = try Fixture.plain.get()
        let answer = try routes.post("/api/interpolate", ["from": 0, "to": 5, "steps": 6])
        #expect(answer.status == 200, "\(answer.errorMessage)")
        let linear = try pngOf(dataURL: answer.object["linear"]), spherical = try pngOf(dataURL: answer.object["spherical"])
        #expect(linear.width == 6 * 28 + 5 * 2 && linear.height == 28 && spherical.width == linear.width)
        // Both paths start at the first digit's μ and end at the second's; they differ between.
        let start = try PNG.read(try routes.post("/api/decode", ["z": routes.session.mean(0).map(Double.init)]).body)
        for y in 0..<28 { for x in 0..<28 { #expect(linear.grey[y * linear.width + x] == start.grey[y * 28 + x]) } }
        #expect(linear.grey != spherical.grey)
    }

    @Test func priorDrawsAreSeededAndScaled() throws {
        let routes = try Fixture.plain.get()
        struct Request: Encodable { var temperature: Double; var seed: UInt64 }
        let a = try #require(try routes.post("/api/prior", Request(temperature: 1, seed: 4)).object["z"] as? [Double])
        let b = try #require(try routes.post("/api/prior", Request(temperature: 0.5, seed: 4)).object["z"] as? [Double])
        let zero = try #require(try routes.post("/api/prior", Request(temperature: 0, seed: 4)).object["z"] as? [Double])
        #expect(a.count == 4 && zero == [0, 0, 0, 0])
        for (x, y) in zip(a, b) { #expect(abs(x * 0.5 - y) < 1e-6) }
    }

    @Test func everyLayerIsShown() throws {
        let routes = try Fixture.plain.get()
        let answer = try routes.post("/api/activations", ["index": 2])
        #expect(answer.status == 200, "\(answer.errorMessage)")
        let encoder = try #require(answer.object["encoder"] as? [[String: Any]])
        let decoder = try #require(answer.object["decoder"] as? [[String: Any]])
        let layout = try Checkpoint.loadModel(from: Fixture.plainCheckpoint.get()).layout
        #expect(encoder.count == layout.encoder.count + 1 && decoder.count == layout.decoder.count)
        #expect(encoder.first?["shape"] as? [Int] == [4, 14, 14])
        #expect(decoder.last?["shape"] as? [Int] == [1, 28, 28])
        // The first convolution's 4 channels as tiles of 14 × 14, 2 to a row, 1 pixel apart.
        let first = try pngOf(dataURL: encoder.first?["image"])
        #expect(first.width == 2 * 14 + 1 && first.height == 2 * 14 + 1)
        let drawn = try routes.post("/api/activations", ["pixels": routes.session.testPixels(2).map(Double.init)])
        #expect(drawn.status == 200)
    }

    /// The layer-by-layer passes compute what `encode` and `decode` compute.
    @Test func activationsEndWhereEncodeAndDecodeDo() throws {
        for checkpoint in [try Fixture.plainCheckpoint.get(), try Fixture.conditionalCheckpoint.get()] {
            let model = try Checkpoint.loadModel(from: checkpoint)
            let images = try Fixture.testImages().prefix(3).images
            let labels: [Int]? = model.configuration.classCount > 0 ? [1, 7, 3] : nil
            let head = try #require(try model.encoderActivations(images, labels: labels).last?.output)
            let (mean, logVariance) = try model.encode(images, labels: labels)
            let d = model.configuration.latentDimensions
            // With label centres, encode returns μ − m_y; the head gives μ before the shift.
            let shift = model.labelCentres.map { Tensor.matmul(Tensor.oneHot(labels!, classes: 10), $0.value) }
            #expect(head.columns(0..<d).maxAbsDifference(shift.map { mean + $0 } ?? mean) < 1e-6)
            #expect(head.columns(d..<(2 * d)).maxAbsDifference(logVariance) == 0)
            let last = try #require(try model.decoderActivations(mean, labels: labels).last?.output)
            #expect(last.maxAbsDifference(try model.decode(mean, labels: labels)) == 0)
        }
    }

    // MARK: A conditional model

    @Test func aConditionalModelNeedsItsLabel() throws {
        let routes = try Fixture.conditional.get()
        #expect(routes.get("/api/info").object["classCount"] as? Int == 10)
        #expect(routes.get("/api/info").object["labelCentres"] as? Bool == true)
        let missing = try routes.post("/api/decode", ["z": [0.0, 0, 0, 0]])
        #expect(missing.status == 400 && missing.errorMessage.contains("conditional"))
        struct Request: Encodable { var z: [Double]; var label: Int }
        let three = try routes.post("/api/decode", Request(z: [0, 0, 0, 0], label: 3))
        let eight = try routes.post("/api/decode", Request(z: [0, 0, 0, 0], label: 8))
        #expect(three.status == 200 && eight.status == 200 && three.body != eight.body)
        #expect(try routes.post("/api/decode", Request(z: [0, 0, 0, 0], label: 10)).status == 400)
        struct Encode: Encodable { var pixels: [Double]; var label: Int }
        let encoded = try routes.post("/api/encode", Encode(pixels: routes.session.testPixels(0).map(Double.init), label: routes.session.labels[0]))
        #expect(encoded.status == 200)
        #expect(try routes.post("/api/interpolate", ["from": 0, "to": 1]).status == 200)
        #expect(try routes.post("/api/activations", ["index": 0]).status == 200)
    }

    // MARK: Refusals

    @Test func badRequestsGetA4xxAndTheServerGoesOn() throws {
        let routes = try Fixture.plain.get()
        let checkpoint = try Fixture.plainCheckpoint.get()
        let before = try Data(contentsOf: checkpoint)
        let beforeDate = try FileManager.default.attributesOfItem(atPath: checkpoint.path)[.modificationDate] as? Date

        let cases: [(WebResponse, Int, String)] = [
            (routes.post("/api/decode", raw: "{\"z\": [0, 0, "), 400, "not valid JSON"),
            (routes.post("/api/decode", raw: "{\"z\": [NaN, 0, 0, 0]}"), 400, "NaN"),
            (routes.post("/api/decode", raw: "{\"z\": [1e400, 0, 0, 0]}"), 400, "not valid JSON"),
            (routes.post("/api/decode", raw: "{\"z\": [1e300, 0, 0, 0]}"), 400, "outside ±50"),
            (routes.post("/api/decode", raw: "{\"z\": [0, 0, 0]}"), 400, "4 values"),
            (routes.post("/api/decode", raw: "{\"z\": \"zero\"}"), 400, "z must be an array"),
            (routes.post("/api/decode", raw: "{\"code\": [0, 0, 0, 0]}"), 400, "z is missing"),
            (routes.post("/api/decode", raw: "{\"z\": [0, 0, 0, 0], \"scale\": 100}"), 400, "scale"),
            (routes.post("/api/decode", raw: ""), 400, "no body"),
            (routes.post("/api/decode", raw: "{\"z\": [0, 0, 0, 0]}", type: "text/plain"), 415, "application/json"),
            (routes.post("/api/encode", raw: "{\"pixels\": [0.5]}"), 400, "784"),
            (try routes.post("/api/encode", ["pixels": [Double](repeating: 2, count: 784)]), 400, "[0, 1]"),
            (routes.post("/api/encode", raw: "{\"pixels\": [0], \"centre\": \"yes\"}"), 400, "centre"),
            (routes.post("/api/encode-image", raw: "just some text", type: "image/png"), 415, "not a PNG"),
            (routes.post("/api/encode-image", raw: "GIF89a", type: "image/gif"), 415, "PNG"),
            (routes.respond(to: WebRequest(method: "POST", path: "/api/encode-image", headers: ["Content-Type": "image/png"],
                                           body: Data(count: RequestBody.maximumBytes + 1))), 413, "limit"),
            (routes.respond(to: WebRequest(method: "POST", path: "/api/encode-image", headers: ["Content-Type": "image/png"],
                                           body: PNG.grey(width: 40, height: 40, pixels: [UInt8](repeating: 0, count: 1600)))), 415, "no ink"),
            (routes.post("/api/interpolate", raw: "{\"from\": 0, \"to\": 9999}"), 400, "to must lie"),
            (routes.post("/api/interpolate", raw: "{\"from\": 0, \"to\": 1, \"steps\": 1}"), 400, "steps"),
            (routes.post("/api/prior", raw: "{\"temperature\": -1, \"seed\": 1}"), 400, "temperature"),
            (routes.post("/api/prior", raw: "{\"temperature\": 1, \"seed\": -1}"), 400, "does not fit"),
            (routes.post("/api/activations", raw: "{}"), 400, "either index"),
            (routes.get("/api/test/300"), 400, "0…299"),
            (routes.get("/api/test/abc"), 400, "whole number"),
            (routes.get("/api/nothing"), 404, "no route"),
            (routes.get("/nothing/at/all"), 404, "no route"),
            (routes.get("/static/../Package.swift"), 404, ""),
            (routes.get("/static/secret.txt"), 404, "no file"),
            (routes.get("/api/decode"), 405, "takes POST"),
            (routes.respond(to: WebRequest(method: "DELETE", path: "/api/info")), 405, "takes GET"),
        ]
        for (index, (response, status, words)) in cases.enumerated() {
            #expect(response.status == status, "case \(index): \(response.status) \(response.errorMessage)")
            #expect(words.isEmpty || response.errorMessage.contains(words), "case \(index): '\(response.errorMessage)' should say '\(words)'")
            #expect(response.contentType?.hasPrefix("application/json") == true, "case \(index)")
        }
        #expect(routes.get("/api/decode").headers["Allow"] == "POST")

        // Still serving, and the checkpoint is as it was.
        #expect(try routes.post("/api/decode", ["z": [0.1, 0.2, 0.3, 0.4]]).status == 200)
        #expect(try Data(contentsOf: checkpoint) == before)
        #expect(try FileManager.default.attributesOfItem(atPath: checkpoint.path)[.modificationDate] as? Date == beforeDate)
    }

    // MARK: Opening

    /// A missing or broken checkpoint fails with the message `vae evaluate` gives.
    @Test func aBadCheckpointFailsAsInEvaluate() throws {
        let folder = Fixture.folder("bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = folder.appendingPathComponent("broken.safetensors")
        try Data("definitely not a checkpoint".utf8).write(to: broken)
        let truncated = folder.appendingPathComponent("truncated.safetensors")
        try Data(try Data(contentsOf: Fixture.plainCheckpoint.get()).prefix(5000)).write(to: truncated)
        for url in [folder.appendingPathComponent("missing.safetensors"), broken, truncated, folder] {
            var evaluate = "", explore = ""
            do { _ = try Checkpoint.loadModel(from: url) } catch { evaluate = "\(error)" }
            do { _ = try ExplorerSession.open(checkpoint: url, testSet: try Fixture.testImages()) } catch { explore = "\(error)" }
            #expect(!evaluate.isEmpty && explore == evaluate, "\(url.lastPathComponent): '\(explore)' against '\(evaluate)'")
        }
    }

    @Test func thePagesAreServed() throws {
        let routes = try Fixture.plain.get()
        let page = routes.get("/")
        #expect(page.status == 200 && page.contentType?.hasPrefix("text/html") == true)
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(html.contains("/static/explorer.js") && !html.contains("http://") && !html.contains("https://"))
        for name in ["explorer.js", "common.js", "explorer.css"] {
            let file = routes.get("/static/\(name)")
            #expect(file.status == 200 && !file.body.isEmpty)
            #expect(!String(decoding: file.body, as: UTF8.self).contains("https://"), "\(name) fetches nothing from elsewhere")
        }
        #expect(routes.respond(to: WebRequest(method: "HEAD", path: "/")).status == 200)
    }
}
