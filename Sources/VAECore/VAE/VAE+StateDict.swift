extension VAE {
    /// The model's tensors under PyTorch's `state_dict` names, parameters then buffers.
    func stateDict() -> [SafeTensors.Entry] { stateDictEntries(of: parameters + buffers) }

    /// Loads every parameter and buffer from `entries` by name. Throws, changing nothing, when a
    /// name is missing, a shape differs or a value is not finite.
    public func load(stateDict entries: [SafeTensors.Entry]) throws {
        try loadStateDict(entries, into: parameters + buffers)
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
