import Foundation

/// An optimizer's per-parameter buffers as every trainer's checkpoint stores them: one tensor per
/// parameter and buffer, of the parameter's shape, named `optimizer.<buffer>.<parameter>` in
/// PyTorch's words (`optimizer.exp_avg.encoder.conv1.weight`, `optimizer.exp_avg_sq.…` for Adam's
/// two moments). The VAE's `Checkpoint` and the multimodal trainer write and read them here, so a
/// saved moment is checked the same way whichever model it belongs to.
enum OptimizerMoments {
    /// The tensor's name of `buffer` for the parameter named `parameter`.
    static func key(_ buffer: String, of parameter: String) -> String { "optimizer.\(buffer).\(parameter)" }

    /// The optimizer buffers that are running means of squares, never negative (Adam's v,
    /// RMSprop's s): a negative value can only come from a corrupt file.
    static let squareAverages: Set<String> = ["exp_avg_sq", "square_avg"]

    /// `state`'s buffers as entries, parameter by parameter in `parameters`' order, each parameter's
    /// buffers in `bufferNames`' order (a buffer the state lacks is written empty, which the
    /// reader refuses).
    static func entries(of state: OptimizerState, parameters: [Parameter], bufferNames: [String]) -> [SafeTensors.Entry] {
        parameters.flatMap { p in
            bufferNames.map { buffer in
                SafeTensors.Entry(name: key(buffer, of: p.name), tensor: Tensor(shape: p.value.shape, scalars: state.buffers[p.name]?[buffer] ?? []))
            }
        }
    }

    /// The buffers named `bufferNames` of every parameter, read with `tensor` (by name), for an
    /// `OptimizerState`.
    /// - Throws: `CheckpointError` for a missing tensor, one of another shape than its parameter,
    ///   one holding NaN or ±∞, or a negative second moment: a file that training cannot resume from.
    static func buffers(for parameters: [Parameter], bufferNames: [String],
                        in tensor: (String) -> Tensor?) throws -> [String: [String: [Float]]] {
        var buffers: [String: [String: [Float]]] = [:]
        for p in parameters {
            var named: [String: [Float]] = [:]
            for buffer in bufferNames {
                let key = key(buffer, of: p.name)
                guard let tensor = tensor(key) else { throw CheckpointError.missingTensor(key) }
                guard tensor.shape == p.value.shape else {
                    throw CheckpointError.shapeMismatch(key, expected: p.value.shape, found: tensor.shape)
                }
                guard tensor.isFinite else {
                    throw CheckpointError.badMetadata("optimizer tensor '\(key)' holds a NaN or infinity: the checkpoint is corrupt (training cannot resume from it)")
                }
                if squareAverages.contains(buffer), let negative = tensor.scalars.first(where: { $0 < 0 }) {
                    throw CheckpointError.badMetadata("optimizer tensor '\(key)' holds a negative second moment (\(negative)): the checkpoint is corrupt")
                }
                named[buffer] = tensor.scalars
            }
            buffers[p.name] = named
        }
        return buffers
    }
}
