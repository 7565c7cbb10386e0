/// Eight floats at a time to and from memory, at any alignment: the vector loads and stores of
/// the hand-vectorised kernels (transposes, im2col/col2im, BatchNorm).

@inlinable @inline(__always)
package func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inlinable @inline(__always)
package func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
