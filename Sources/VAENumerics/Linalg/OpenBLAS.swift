#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenBLAS's `cblas_sgemm`, loaded at run time, as a yardstick for our `gemm`.
///
/// It is a comparison only, never a dependency: the library is opened with `dlopen` when the
/// benchmark asks for it, and everything works without it. On Debian/Ubuntu it comes from the
/// `libopenblas0` package (`libopenblas.so.0`). OpenBLAS is tuned by hand in assembly for each
/// CPU, so it is a fair estimate of the practical peak of this machine.
public final class OpenBLAS: @unchecked Sendable {
    /// Why OpenBLAS could not be loaded.
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    // cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc),
    // with the LP64 interface Debian ships (32-bit integers).
    private typealias SGEMM = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32,
        Float, UnsafePointer<Float>?, Int32,
        UnsafePointer<Float>?, Int32,
        Float, UnsafeMutablePointer<Float>?, Int32
    ) -> Void
    private typealias SetThreads = @convention(c) (Int32) -> Void
    private typealias GetConfig = @convention(c) () -> UnsafePointer<CChar>?

    private static let cblasRowMajor: Int32 = 101
    private static let cblasNoTrans: Int32 = 111
    private static let cblasTrans: Int32 = 112

    private let handle: UnsafeMutableRawPointer
    private let sgemmFunction: SGEMM
    private let setThreadsFunction: SetThreads?
    /// OpenBLAS's build description (for example "OpenBLAS 0.3.21 DYNAMIC_ARCH ... Zen"), when available.
    public let configuration: String
    /// The thread count last set with `setThreads`.
    public private(set) var threads: Int

    /// The library loaded once (on first use), with 2 threads, or the reason it could not be.
    private static let loaded: Result<OpenBLAS, any Error> = Result { try OpenBLAS(threads: 2) }

    /// The library with 2 threads (the cores of this machine), or nil when it is absent;
    /// `loadError` then says why.
    public static var shared: OpenBLAS? { try? loaded.get() }

    /// Why `shared` is nil (for example "libopenblas.so.0 not found; install Debian's
    /// libopenblas0 to compare"), or nil when it loaded.
    public static var loadError: String? {
        if case .failure(let error) = loaded { return "\(error)" }
        return nil
    }

    /// Opens `libopenblas.so.0` and sets its thread count.
    ///
    /// - Throws: `LoadError` when the library or one of its symbols is missing.
    public init(path: String = "libopenblas.so.0", threads: Int = 2) throws {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw LoadError(description: "\(path) not found; install Debian's libopenblas0 to compare (\(reason))")
        }
        guard let sgemm = dlsym(handle, "cblas_sgemm") else {
            dlclose(handle)
            throw LoadError(description: "\(path) has no cblas_sgemm symbol")
        }
        self.handle = handle
        self.sgemmFunction = unsafeBitCast(sgemm, to: SGEMM.self)
        self.setThreadsFunction = dlsym(handle, "openblas_set_num_threads").map { unsafeBitCast($0, to: SetThreads.self) }
        if let get = dlsym(handle, "openblas_get_config"),
           let text = unsafeBitCast(get, to: GetConfig.self)() {
            configuration = String(cString: text)
        } else {
            configuration = "unknown"
        }
        self.threads = threads
        setThreads(threads)
    }

    deinit { dlclose(handle) }

    /// Sets the number of threads OpenBLAS uses (`openblas_set_num_threads`).
    public func setThreads(_ count: Int) {
        setThreadsFunction?(Int32(count))
        threads = count
    }

    /// C = α·op(A)·op(B) + β·C, row-major, with the same arguments and meaning as `gemm`.
    public func sgemm(
        transposeA: Bool, transposeB: Bool,
        m: Int, n: Int, k: Int,
        alpha: Float,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition([m, n, k, lda, ldb, ldc].allSatisfy { $0 >= 0 && $0 <= Int(Int32.max) },
                     "OpenBLAS.sgemm: sizes must fit in Int32")
        sgemmFunction(OpenBLAS.cblasRowMajor,
                      transposeA ? OpenBLAS.cblasTrans : OpenBLAS.cblasNoTrans,
                      transposeB ? OpenBLAS.cblasTrans : OpenBLAS.cblasNoTrans,
                      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                      beta, c, Int32(ldc))
    }
}
