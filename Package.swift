// swift-tools-version: 6.0
//
// A Variational Autoencoder from scratch, in Swift, as a course.
//
// `VAECore` is the small library that every chapter builds on: tensors, matrix multiply,
// randomness, MNIST, and figures through gnuplot. Each chapter in `Chapters/` is one executable,
// run as `swift run -c release chNN-topic`. `figures` regenerates every figure; `bench` measures.
import Foundation
import PackageDescription

/// On x86-64, numeric code needs a CPU baseline with AVX2 and FMA, in every configuration, so
/// that `SIMD8<Float>.addingProduct` becomes one `vfmadd` instead of eight calls to `fmaf`, and
/// debug and release builds round alike. On a machine with AVX-512 (Zen 4 and 5, Intel's server
/// cores) the package is built for x86-64-v4 instead, and `VAE_AVX512` selects the GEMM's 8×32
/// micro-kernel on 512-bit registers (about 1.6 times the 6×16 AVX2 kernel's speed on a Zen 5);
/// the two kernels compute the same bits, so results do not depend on the choice. As llm.c builds
/// with `-march=native`, the build adapts to the machine it runs on: its binaries are for that
/// kind of processor. `VAE_CPU=x86-64-v3 swift build …` builds the portable AVX2 variant anywhere
/// (e.g. to make binaries for an older machine). arm64 (Apple silicon, Linux arm64) has FMA and
/// NEON in its base instruction set and needs no flag. Release builds also optimise across module
/// boundaries, so that the library's generic helpers are specialised in the chapters that call
/// them. `-fno-math-errno` lets `squareRoot()` become one vectorised `vsqrtps` (C's `sqrtf` may
/// set `errno`, which keeps it scalar): Adam's step is about 6 times faster with it.
#if arch(x86_64)
/// Whether this machine's processor has the AVX-512 subsets of x86-64-v4 (F, BW, CD, DQ, VL), read
/// from Linux's /proc/cpuinfo (elsewhere: no), unless `VAE_CPU` names the target.
let buildsForAVX512: Bool = {
    if let target = Context.environment["VAE_CPU"] { return target == "x86-64-v4" }
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
    let present = Set(flags.split(separator: " ").map(String.init))
    return ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"].allSatisfy(present.contains)
}()
let cpuFlags = ["-Xcc", buildsForAVX512 ? "-march=x86-64-v4" : "-march=x86-64-v3"]
let cpuDefines: [SwiftSetting] = buildsForAVX512 ? [.define("VAE_AVX512")] : []
#else
let cpuFlags: [String] = []
let cpuDefines: [SwiftSetting] = []
#endif
let numericSettings: [SwiftSetting] = cpuDefines + [
    .unsafeFlags(cpuFlags + ["-Xcc", "-fno-math-errno"]),
    .unsafeFlags(["-cross-module-optimization", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

/// The chapters of the course, in teaching order: each is the folder `Chapters/NAME` and an
/// executable of the same name. This list is the only one: `figures` and `book` read it from this
/// file (`CoursePaths.chapters()`). (Listing the folders here instead would not do: SwiftPM caches
/// the evaluated manifest by this file's contents, so a new folder would go unseen.)
let chapters = [
    "ch01-tensors",
    "ch02-convolution",
    "ch03-backprop",
    "ch04-reparameterization",
    "ch05-elbo",
    "ch06-beta-vae",
    "ch07-cvae",
    "ch08-latent-space",
    "ch09-ablations",
    "ch10-anomaly",
    "ch11-multimodal",
    "ch12-tighter-bounds",
]

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
/// The explorer's HTTP and WebSocket server. FlyingFox rather than Hummingbird 2: a clean release
/// build of a hello-world server with a WebSocket route, on this project's two shared cores, cost
/// 31 s of CPU with FlyingFox (it builds on Swift concurrency and the system's sockets) against
/// 240 s with Hummingbird and HummingbirdWebSocket, which pull in SwiftNIO (18.5 s of wall time
/// for FlyingFox on nearly idle cores). Every fresh clone and every CI run pays that build.
let flyingFox = Target.Dependency.product(name: "FlyingFox", package: "FlyingFox")

let package = Package(
    name: "VAECourse",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "VAECore", targets: ["VAECore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // SHA-256's compression function on the processor's SHA instructions (x86-64), which
        // `VAECore`'s `SHA256` uses where the processor has them.
        .target(name: "CSHA256"),
        // The library in layers, each a module that sees only the ones below it, so that the
        // compiler refuses a back edge: `VAENumerics` (tensors, matrix multiply, random numbers,
        // threads, clocks, atomic files) knows nothing of neural networks; `VAENeural` (layers
        // with their backward passes, losses, optimizers and schedules) knows tensors and nothing
        // of a VAE; `VAEPlot` (figures through gnuplot) knows tensors and nothing of models;
        // `VAECore` (data, checkpoints, the VAE and its training, evaluation, the judge, anomaly
        // scores, multimodal models) builds on all three and re-exports them, so that a chapter
        // imports one module.
        .target(
            name: "VAENumerics",
            swiftSettings: numericSettings
        ),
        .target(
            name: "VAENeural",
            dependencies: ["VAENumerics"],
            swiftSettings: numericSettings
        ),
        .target(
            name: "VAEPlot",
            dependencies: ["VAENumerics"],
            swiftSettings: numericSettings
        ),
        .target(
            name: "VAECore",
            dependencies: ["CZlib", "CSHA256", "VAENumerics", "VAENeural", "VAEPlot"],
            resources: [.copy("Resources/mnist"), .copy("Resources/fashion-mnist")],
            swiftSettings: numericSettings
        ),
        .target(
            name: "CourseSupport",
            dependencies: ["VAECore", argumentParser],
            swiftSettings: numericSettings
        ),
        .executableTarget(
            name: "bench",
            dependencies: ["VAECore", "CourseSupport", argumentParser],
            exclude: ["pytorch"],
            swiftSettings: numericSettings
        ),
        .target(
            name: "Explorer",
            dependencies: ["VAECore", "CZlib", flyingFox],
            resources: [.copy("Resources/web")],
            swiftSettings: numericSettings
        ),
        .executableTarget(
            name: "vae",
            dependencies: ["VAECore", "CourseSupport", "Explorer", argumentParser],
            swiftSettings: numericSettings
        ),
        .executableTarget(
            name: "figures",
            dependencies: ["VAECore", "CourseSupport", "CourseBook", argumentParser],
            swiftSettings: numericSettings
        ),
        .target(
            name: "CourseBook",
            dependencies: ["VAECore"]
        ),
        .executableTarget(
            name: "book",
            dependencies: ["CourseBook", "CourseSupport", "VAECore", argumentParser]
        ),
        .testTarget(
            name: "CourseBookTests",
            dependencies: ["CourseBook", "CourseSupport"]
        ),
        .testTarget(
            name: "ExplorerTests",
            dependencies: ["Explorer", "VAECore", "VAENeural", "VAENumerics", flyingFox],
            swiftSettings: numericSettings
        ),
        .testTarget(
            name: "VAECoreTests",
            dependencies: ["VAECore", "VAENeural", "VAENumerics", "VAEPlot"],
            exclude: ["Fixtures"],
            swiftSettings: numericSettings
        ),
    ] + chapters.map { name in
        .executableTarget(
            name: name,
            dependencies: ["VAECore", "CourseSupport", argumentParser],
            path: "Chapters/\(name)",
            swiftSettings: numericSettings
        )
    }
)
