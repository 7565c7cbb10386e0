/// A model's tensors as a PyTorch `state_dict`, and back: shared by every model of the course
/// (the VAE, the digit classifier), which differ only in which tensors they hold.

/// `tensors` (parameters, then buffers) under their PyTorch names. BatchNorm's
/// `num_batches_tracked` is a 0-dimensional int64, as in PyTorch; everything else float32.
func stateDictEntries(of tensors: [Parameter]) -> [SafeTensors.Entry] {
    tensors.map { p in
        let counter = p.name.hasSuffix("num_batches_tracked")
        return SafeTensors.Entry(name: p.name, tensor: counter && p.value.count == 1 ? p.value.reshaped([]) : p.value,
                                 dtype: counter ? .int64 : .float32)
    }
}

/// Loads each of `targets` from the entry of its name. Checks every target first and throws,
/// changing nothing, when a name is missing, a shape differs (exactly: a (20, 3136) weight is not
/// a (3136, 20) one, though it holds as many values) or a value is not finite: a checkpoint of
/// another architecture, or a corrupt one, is refused rather than half-loaded. The one exception
/// is BatchNorm's counter `num_batches_tracked`, a 0-dimensional tensor in PyTorch's files.
/// BatchNorm's running variances must not be negative.
func loadStateDict(_ entries: [SafeTensors.Entry], into targets: [Parameter]) throws {
    let byName = Dictionary(entries.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
    for p in targets {
        guard let tensor = byName[p.name] else { throw CheckpointError.missingTensor(p.name) }
        let counter = p.name.hasSuffix("num_batches_tracked") && tensor.count == 1 && p.value.count == 1
        guard tensor.shape == p.value.shape || counter else {
            throw CheckpointError.shapeMismatch(p.name, expected: p.value.shape, found: tensor.shape)
        }
        guard tensor.isFinite else { throw CheckpointError.badMetadata("tensor '\(p.name)' holds a NaN or infinity") }
        if p.name.hasSuffix("running_var"), let negative = tensor.scalars.first(where: { $0 < 0 }) {
            throw CheckpointError.badMetadata("tensor '\(p.name)' holds a negative variance (\(negative)): the file is corrupt")
        }
    }
    for p in targets { p.value = byName[p.name]!.reshaped(p.value.shape) }
}
