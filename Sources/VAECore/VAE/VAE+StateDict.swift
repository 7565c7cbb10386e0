extension VAE {
    /// The model's tensors under PyTorch's `state_dict` names, parameters then buffers.
    /// BatchNorm's `num_batches_tracked` is an int64, as in PyTorch.
    public func stateDict() -> [SafeTensors.Entry] {
        (parameters + buffers).map { p in
            SafeTensors.Entry(name: p.name, tensor: p.value.reshapedForStateDict(name: p.name),
                              dtype: p.name.hasSuffix("num_batches_tracked") ? .int64 : .float32)
        }
    }

    /// Loads every parameter and buffer from `entries` by name. Throws, changing nothing, when a
    /// name is missing or a shape differs: a checkpoint of another architecture is refused
    /// rather than half-loaded.
    public func load(stateDict entries: [SafeTensors.Entry]) throws {
        let byName = Dictionary(entries.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        let targets = parameters + buffers
        for p in targets {
            guard let tensor = byName[p.name] else { throw CheckpointError.missingTensor(p.name) }
            guard tensor.count == p.value.count else {
                throw CheckpointError.shapeMismatch(p.name, expected: p.value.shape, found: tensor.shape)
            }
        }
        for p in targets { p.value = byName[p.name]!.reshaped(p.value.shape) }
    }
}

extension Tensor {
    /// PyTorch stores `num_batches_tracked` as a 0-dimensional tensor; ours is (1).
    fileprivate func reshapedForStateDict(name: String) -> Tensor {
        name.hasSuffix("num_batches_tracked") && count == 1 ? reshaped([]) : self
    }
}

/// A checkpoint that does not fit the model or the run.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case missingTensor(String)
    case shapeMismatch(String, expected: [Int], found: [Int])
    case badMetadata(String)

    public var description: String {
        switch self {
        case .missingTensor(let name): "the checkpoint has no tensor '\(name)': it was saved from another architecture"
        case .shapeMismatch(let name, let expected, let found):
            "tensor '\(name)' has shape \(found) in the checkpoint but \(expected) in the model: another architecture"
        case .badMetadata(let why): "the checkpoint's metadata is unusable: \(why)"
        }
    }
}
