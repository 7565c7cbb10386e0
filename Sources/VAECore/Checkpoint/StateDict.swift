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
/// changing nothing, when a name is missing, a size differs or a value is not finite: a
/// checkpoint of another architecture, or a corrupt one, is refused rather than half-loaded.
func loadStateDict(_ entries: [SafeTensors.Entry], into targets: [Parameter]) throws {
    let byName = Dictionary(entries.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
    for p in targets {
        guard let tensor = byName[p.name] else { throw CheckpointError.missingTensor(p.name) }
        guard tensor.count == p.value.count else {
            throw CheckpointError.shapeMismatch(p.name, expected: p.value.shape, found: tensor.shape)
        }
        guard tensor.isFinite else { throw CheckpointError.badMetadata("tensor '\(p.name)' holds a NaN or infinity") }
    }
    for p in targets { p.value = byName[p.name]!.reshaped(p.value.shape) }
}
