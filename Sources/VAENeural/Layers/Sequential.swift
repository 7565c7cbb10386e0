/// A chain of layers: forward runs them in order, backward runs their backward passes in
/// reverse, each taking the gradient the next one returned (the chain rule, one link at a time).
///
/// Parameters are named as PyTorch's `nn.Sequential` names them in a `state_dict`: each child's
/// parameter names get the child's name as a prefix, the index ("0.weight", "1.bias") or a given
/// name (`Sequential([("conv1", conv)])` gives "conv1.weight"). Nesting composes the prefixes
/// ("encoder.conv1.weight"). The prefix is written into each `Parameter.name` once, at
/// construction, so a layer should belong to one container only.
///
/// Setting `isTraining` sets it on every child.
///
/// When every child is a `BatchMinorLayer` (all of the library's layers are), the chain runs on
/// batch-minor activations: `forward` transposes its NCHW input once, passes (F, B) matrices from
/// layer to layer, and transposes the result back; `backward` does the same with the gradients.
/// The bits are those of calling the layers one by one on NCHW tensors (`BatchMinorLayer.swift`);
/// only the transposes between layers are saved. A child that is not a `BatchMinorLayer` gets its
/// NCHW tensors, transposed around it.
public final class Sequential: BatchMinorLayer {
    /// The layers, in forward order.
    public let layers: [Layer]
    /// Each layer's name, the prefix of its parameters.
    public let names: [String]

    public var isTraining = true {
        didSet { for layer in layers { layer.isTraining = isTraining } }
    }

    /// A chain whose layers are named by their index, "0", "1", … (as `nn.Sequential(a, b)`).
    public convenience init(_ layers: [Layer]) {
        self.init(checkedNames: layers.indices.map(String.init), layers: layers)
    }

    /// A chain of named layers (as `nn.Sequential(OrderedDict(...))`). Throws for an empty,
    /// duplicated or dotted name, which would make parameter names ambiguous.
    public convenience init(_ namedLayers: [(String, Layer)]) throws {
        var seen = Set<String>()
        for (name, _) in namedLayers {
            guard !name.isEmpty, !name.contains("."), seen.insert(name).inserted else {
                throw LayerConfigurationError("Sequential layer names must be distinct, non-empty and without dots: \"\(name)\"")
            }
        }
        self.init(checkedNames: namedLayers.map(\.0), layers: namedLayers.map(\.1))
    }

    /// Prefixes every child's parameter and buffer names, and puts all children in training mode.
    private init(checkedNames: [String], layers: [Layer]) {
        self.layers = layers
        names = checkedNames
        for (name, layer) in zip(checkedNames, layers) {
            for parameter in layer.parameters + layer.buffers { parameter.name = "\(name).\(parameter.name)" }
            layer.isTraining = true
        }
    }

    /// The layer called `name`, if any.
    public subscript(name: String) -> Layer? {
        names.firstIndex(of: name).map { layers[$0] }
    }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    public var buffers: [Parameter] { layers.flatMap(\.buffers) }

    /// Whether every child runs batch-minor, so that `forward` changes layout only at its ends.
    var runsBatchMinor: Bool { layers.allSatisfy { $0 is BatchMinorLayer } }

    /// The batch size and the sample shapes before each layer and after the last, of the last
    /// forward pass in batch-minor (from `forward` or `forwardBatchMinor`).
    private var batchMinorShapes: (batch: Int, samples: [[Int]])?
    /// Whether the last `forward` ran batch-minor inside (its `backward` then does too).
    private var forwardRanBatchMinor = false

    public func forward(_ x: Tensor) -> Tensor {
        guard runsBatchMinor, x.rank >= 2, x.shape[0] > 0, !layers.isEmpty else {
            forwardRanBatchMinor = false
            return layers.reduce(x) { activation, layer in layer.forward(activation) }
        }
        let y = forwardBatchMinor(batchMinor(x), sampleShape: Array(x.shape.dropFirst()))
        forwardRanBatchMinor = true
        return batchMajor(y, sampleShape: batchMinorShapes!.samples.last!)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard forwardRanBatchMinor, let shapes = batchMinorShapes else {
            return layers.reversed().reduce(dy) { gradient, layer in layer.backward(gradient) }
        }
        precondition(dy.shape == [shapes.batch] + shapes.samples.last!,
                     "Sequential.backward: output gradient \(dy.shape) should be \([shapes.batch] + shapes.samples.last!)")
        let dx = backwardBatchMinor(batchMinor(dy))
        return dx.shape == [0] ? dx : batchMajor(dx, sampleShape: shapes.samples[0])
    }

    /// The sample shape after every layer: the last forward pass's when it started from
    /// `shape`, else asked of each child (all of which must then be `BatchMinorLayer`s).
    public func outputSampleShape(forInput shape: [Int]) -> [Int] {
        if let shapes = batchMinorShapes, shapes.samples.first == shape { return shapes.samples.last! }
        return layers.reduce(shape) { sample, layer in
            guard let layer = layer as? BatchMinorLayer else {
                preconditionFailure("Sequential: \(type(of: layer)) is not a BatchMinorLayer, so its output shape is known only after a forward pass")
            }
            return layer.outputSampleShape(forInput: sample)
        }
    }

    /// x (F, B) through every layer in order, batch-minor throughout.
    public func forwardBatchMinor(_ x: Tensor, sampleShape: [Int]) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] > 0, "Sequential: a batch-minor input must be (F, B), got \(x.shape)")
        var samples = [sampleShape]
        var h = x
        for layer in layers {
            let sample = samples.last!
            if let layer = layer as? BatchMinorLayer {
                h = layer.forwardBatchMinor(h, sampleShape: sample)
                samples.append(layer.outputSampleShape(forInput: sample))
            } else {
                let y = layer.forward(batchMajor(h, sampleShape: sample))
                samples.append(Array(y.shape.dropFirst()))
                h = batchMinor(y)
            }
        }
        batchMinorShapes = (x.shape[1], samples)
        return h
    }

    /// ∂L/∂y (F', B) back through every layer, last first; an empty gradient (a first
    /// convolution that skips ∂x) ends the chain.
    public func backwardBatchMinor(_ dy: Tensor) -> Tensor {
        guard let shapes = batchMinorShapes else { preconditionFailure("Sequential.backwardBatchMinor called before forwardBatchMinor") }
        var g = dy
        for (index, layer) in layers.enumerated().reversed() {
            if let layer = layer as? BatchMinorLayer {
                g = layer.backwardBatchMinor(g)
            } else {
                let dx = layer.backward(batchMajor(g, sampleShape: shapes.samples[index + 1]))
                g = dx.shape == [0] ? dx : batchMinor(dx)
            }
            if g.shape == [0] { return g }
        }
        return g
    }
}
