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
public final class Sequential: Layer {
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

    public func forward(_ x: Tensor) -> Tensor {
        layers.reduce(x) { activation, layer in layer.forward(activation) }
    }

    public func backward(_ dy: Tensor) -> Tensor {
        layers.reversed().reduce(dy) { gradient, layer in layer.backward(gradient) }
    }
}
