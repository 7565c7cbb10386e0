import Foundation

extension Diagram {
    /// A VAE's layers as a diagram, drawn from the model's own resolved layout (`VAE.layout`), so
    /// that it follows any architecture: the encoder down the left, from the image to the head
    /// that outputs (μ, log σ²); the sampling step z = μ + σ ⊙ ε below, dashed (it is not a
    /// layer); the decoder up the right, from z to the logits. Each box gives the layer's name and
    /// kind, its output shape, its parameter count and its multiply-adds per image.
    public static func architecture(of model: VAE) -> Diagram {
        let layout = model.layout
        let configuration = model.configuration
        let counts = Dictionary(grouping: model.parameters) { p in p.name.split(separator: ".").dropLast().joined(separator: ".") }
            .mapValues { $0.reduce(0) { $0 + $1.value.count } }
        /// The parameters of a layer, nested ones (a residual block's) included.
        func parameters(_ prefix: String) -> Int {
            counts.filter { $0.key == prefix || $0.key.hasPrefix(prefix + ".") }.values.reduce(0, +)
        }

        struct Entry { var lines: [String]; var fill: String; var tall: Bool }
        func entry(_ layer: Architecture.ResolvedLayer, network: String) -> Entry {
            let shape = layer.output.map(String.init).joined(separator: "×")
            let count = parameters("\(network).\(layer.name)")
            var details = ["→ \(shape)"]
            if count > 0 { details.append("\(Diagram.grouped(count)) params") }
            if layer.multiplyAdds > 0 { details.append(Diagram.multiplyAdds(layer.multiplyAdds)) }
            let tall = layer.multiplyAdds > 0 || count > 0
            return Entry(lines: ["\(layer.name): \(layer.spec.summary)", details.joined(separator: " · ")],
                         fill: Diagram.fill(layer.spec.type), tall: tall)
        }
        var encoder = [Entry(lines: ["x: the image", "1×28×28, " + (configuration.likelihood.binarizesData ? "binary pixels" : "grey pixels")], fill: "#ffffff", tall: true)]
        encoder += layout.encoder.map { entry($0, network: "encoder") }
        var head = entry(layout.head, network: "encoder")
        head.lines[0] = "\(layout.head.name): linear \(layout.head.output[0]), the head"
        head.lines.append("= [μ | log σ²], \(configuration.latentDimensions) each" + (configuration.classCount > 0 ? " (input: features + one-hot y)" : ""))
        encoder.append(head)
        var decoder = layout.decoder.map { entry($0, network: "decoder") }
        decoder.append(Entry(lines: ["ℓ: one logit per pixel", configuration.likelihood.part.diagramLine], fill: "#ffffff", tall: true))

        // Rows: the encoder fills the left column from the top, the decoder the right column from
        // the bottom, level with the head; the sampling step sits below both.
        let rows = max(encoder.count, decoder.count)
        let (width, boxWidth, rowHeight) = (980.0, 400.0, 62.0)
        let (top, bottomSpace) = (70.0, 110.0)
        let height = top + Double(rows) * rowHeight + bottomSpace
        let (leftX, rightX) = (235.0, width - 235.0)
        func y(_ row: Int) -> Double { height - top - (Double(row) + 0.5) * rowHeight }
        func box(_ e: Entry, x: Double, row: Int) -> Box {
            Box(centre: (x, y(row)), width: boxWidth, height: e.tall ? (e.lines.count > 2 ? 52 : 42) : 34,
                lines: e.lines, fill: e.fill, border: "#555555", fontSize: e.lines.count > 2 ? 8.5 : 9)
        }
        let left = encoder.enumerated().map { box($0.element, x: leftX, row: $0.offset) }
        let right = decoder.enumerated().map { box($0.element, x: rightX, row: rows - 1 - $0.offset) }
        let sampleLines = ["sample: z = μ + σ ⊙ ε,  σ = exp(½ log σ²),  ε ~ N(0, I)",
                           "KL(q(z|x) ‖ N(0, I)) from μ and log σ² in closed form"
                               + (configuration.classCount > 0 ? "; the decoder also reads y" : "")]
        let sample = Box(centre: (width / 2, bottomSpace / 2 + 4), width: 470, height: 46, lines: sampleLines,
                         fill: "#fff4d6", border: "#b8860b", dashed: true, fontSize: 9)

        var arrows: [Arrow] = []
        for (a, b) in zip(left, left.dropFirst()) { arrows.append(Arrow(from: a.bottom, to: b.top)) }
        for (a, b) in zip(right, right.dropFirst()) { arrows.append(Arrow(from: a.top, to: b.bottom)) }
        arrows.append(Arrow(from: left.last!.bottom, to: (sample.left.x + 40, sample.top.y), color: "#b8860b"))
        arrows.append(Arrow(from: (sample.right.x - 40, sample.top.y), to: right.first!.bottom, color: "#b8860b"))

        let total = String(format: "%@ parameters · %.1f MFLOP per image for a training step (forward, and backward at twice its cost)",
                           Diagram.grouped(model.parameterCount), Double(model.forwardMultiplyAdds) * 6e-6)
        let texts = [
            Text("encoder q(z|x)", at: (leftX, height - top + 22), fontSize: 11),
            Text("decoder p(x|z)", at: (rightX, height - top + 22), fontSize: 11),
            Text(total, at: (width / 2, height - 18), fontSize: 9, color: "#333333"),
        ]
        return Diagram(width: Int(width), height: Int(height.rounded()), boxes: left + right + [sample], arrows: arrows, texts: texts)
    }

    /// The fill of a layer's box, by kind: weights in colour, the rest pale.
    static func fill(_ kind: LayerSpec.Kind) -> String {
        switch kind {
        case .conv, .deconv: "#dbe9f6"
        case .linear: "#fde2c8"
        case .batchNorm: "#dcefd9"
        case .residual: "#e8def3"
        case .upsample, .relu, .leakyReLU, .elu, .swish, .flatten, .reshape: "#f3f3f3"
        }
    }

    /// 258281 → "258,281".
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return out
    }

    /// Multiply-adds in words: "0.10M MACs".
    static func multiplyAdds(_ n: Int) -> String {
        n >= 100_000 ? String(format: "%.2fM MACs", Double(n) / 1e6) : String(format: "%.1fk MACs", Double(n) / 1e3)
    }
}
