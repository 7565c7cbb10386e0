import Foundation

/// Scratch memory of one GEMM call: the packed blocks of A and B, and one edge tile per part of the work.
///
/// Allocating a few megabytes per call would cost page faults on every call (the kernel zeroes
/// fresh pages), so workspaces are kept in a small pool and reused; each grows to the largest
/// size asked of it and stays there. The sizes are bounded by `GEMMBlocking`, not by the problem,
/// so a workspace never exceeds about (maxPackedA + maxPackedB) floats.
@usableFromInline
final class GEMMWorkspace: @unchecked Sendable {
    /// 64-byte aligned: a cache line, and more than the 32 bytes of one ymm register.
    static let alignment = 64
    /// Floats of scratch per part for a micro-kernel's tile (8×32 = 256, the larger of the two).
    static let tileStride = 256

    private(set) var packedA: UnsafeMutablePointer<Float>
    private(set) var packedB: UnsafeMutablePointer<Float>
    private(set) var tiles: UnsafeMutablePointer<Float>
    private var capacityA = 0, capacityB = 0, capacityTiles = 0

    init() {
        packedA = GEMMWorkspace.allocate(16)
        packedB = GEMMWorkspace.allocate(16)
        tiles = GEMMWorkspace.allocate(16)
    }

    deinit {
        packedA.deallocate()
        packedB.deallocate()
        tiles.deallocate()
    }

    /// Makes room for `a` + `b` packed floats and `parts` edge tiles. Contents are not kept.
    func reserve(a: Int, b: Int, parts: Int) {
        if a > capacityA {
            packedA.deallocate()
            packedA = GEMMWorkspace.allocate(a)
            capacityA = a
        }
        if b > capacityB {
            packedB.deallocate()
            packedB = GEMMWorkspace.allocate(b)
            capacityB = b
        }
        let t = parts * GEMMWorkspace.tileStride
        if t > capacityTiles {
            tiles.deallocate()
            tiles = GEMMWorkspace.allocate(t)
            capacityTiles = t
        }
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(count, 16) * MemoryLayout<Float>.stride,
                                         alignment: alignment)
            .bindMemory(to: Float.self, capacity: max(count, 16))
    }
}

/// A thread-safe stack of idle workspaces. A call takes one (or makes one when all are busy,
/// for example when several threads multiply at once) and gives it back when done.
@usableFromInline
final class GEMMWorkspacePool: @unchecked Sendable {
    @usableFromInline static let shared = GEMMWorkspacePool()
    /// Idle workspaces beyond this many are freed rather than kept.
    private let maxIdle = 4
    private let lock = NSLock()
    private var idle: [GEMMWorkspace] = []

    func take() -> GEMMWorkspace {
        lock.lock()
        defer { lock.unlock() }
        return idle.popLast() ?? GEMMWorkspace()
    }

    func giveBack(_ workspace: GEMMWorkspace) {
        lock.lock()
        defer { lock.unlock() }
        if idle.count < maxIdle { idle.append(workspace) }
    }
}
