import Foundation

/// How a VAE checkpoint names what it holds.
///
/// A checkpoint is a safetensors file whose tensors include the model's `stateDict()` (PyTorch
/// names; other tensors, such as `optimizer.*`, may be present and are ignored), and whose
/// `__metadata__` holds, under the key **`"model"`**, the model's `VAEConfiguration` as JSON:
///
///     {"channels":[32,64],"classCount":0,"latentDimensions":20}
///
/// Writers (the trainer) must store it under `"model"`; readers also accept `"config"`.
public enum CheckpointMetadata {
    /// The metadata key of the model's configuration JSON.
    public static let modelKey = "model"
    /// An alternative key that readers accept.
    public static let alternativeModelKey = "config"

    /// The configuration as the JSON string stored under `modelKey`.
    public static func json(for configuration: VAEConfiguration) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(configuration), as: UTF8.self)
    }

    /// A checkpoint of the model alone: its state_dict and its configuration under `modelKey`,
    /// plus `extra` metadata.
    public static func checkpoint(of model: VAE, extra: [String: String] = [:]) throws -> SafeTensors {
        var metadata = extra
        metadata[modelKey] = try json(for: model.configuration)
        return SafeTensors(entries: model.stateDict(), metadata: metadata)
    }
}

/// Builds the VAE a checkpoint describes and loads its weights and BatchNorm statistics.
/// - Throws: `SafeTensorsError` for an unreadable or corrupt file; `CheckpointError.badMetadata`
///   when the configuration is missing or not valid JSON; `VAEConfigurationError` for an
///   architecture that cannot be built; `CheckpointError` for missing or misshapen tensors.
public func loadModel(from url: URL) throws -> VAE {
    try loadModel(from: SafeTensors.read(from: url))
}

/// Builds the VAE of a parsed checkpoint; see `loadModel(from: URL)`.
public func loadModel(from checkpoint: SafeTensors) throws -> VAE {
    guard let json = checkpoint.metadata[CheckpointMetadata.modelKey] ?? checkpoint.metadata[CheckpointMetadata.alternativeModelKey] else {
        throw CheckpointError.badMetadata("no model configuration under the key '\(CheckpointMetadata.modelKey)' "
                                          + "(keys present: \(checkpoint.metadata.keys.sorted()))")
    }
    let configuration: VAEConfiguration
    do {
        configuration = try JSONDecoder().decode(VAEConfiguration.self, from: Data(json.utf8))
    } catch {
        throw CheckpointError.badMetadata("the model configuration \(json) is not a VAEConfiguration: \(error)")
    }
    var random = RandomSource(seed: 0)  // initial weights, all replaced by the checkpoint's
    let model = try VAE(configuration, using: &random)
    try model.load(stateDict: checkpoint.entries)
    return model
}
