/// A tensor of `shape` whose elements `initialize` writes, all of them, without first filling
/// the buffer with zeros: layer outputs are written once, completely, by their kernels.
@inline(__always)
package func makeLayerOutput(shape: [Int], _ initialize: (UnsafeMutablePointer<Float>) -> Void) -> Tensor {
    let count = shape.reduce(1, *)
    let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        if count > 0 { initialize(buffer.baseAddress!) }
        initialized = count
    }
    return Tensor(shape: shape, scalars: scalars)
}

/// Stops with the message of a shape error: `Layer.forward` and `backward` cannot throw, so a
/// wrong input shape there is a programming error, reported as clearly as a thrown one would be.
@inline(__always)
func requireShape<T>(_ check: () throws -> T) -> T {
    do { return try check() } catch { preconditionFailure("\(error)") }
}

/// Grows a scratch buffer to at least `count` floats; never shrinks it, so a smaller last batch
/// reuses the memory of the full ones.
@inline(__always)
func growScratch(_ buffer: inout [Float], to count: Int) {
    if buffer.count < count { buffer = [Float](repeating: 0, count: count) }
}

/// Calls `body` with a pointer to `tensor`'s elements, or with nil when there is no tensor.
@inline(__always)
func withOptionalPointer<R>(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let tensor else { return body(nil) }
    return tensor.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Stops when a parameter no longer has the shape its layer was built with (a bad load would
/// otherwise make the kernels read past the end of the weight).
@inline(__always)
func requireParameterShape(_ parameter: Parameter?, _ shape: [Int], in layer: String) {
    guard let parameter else { return }
    precondition(parameter.value.shape == shape && parameter.gradient.shape == shape,
                 "\(layer): \(parameter.name) has shape \(parameter.value.shape) (gradient \(parameter.gradient.shape)), expected \(shape)")
}
