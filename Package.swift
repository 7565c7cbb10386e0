// swift-tools-version: 6.0
//
// A Variational Autoencoder from scratch, in Swift, as a course.
//
// `VAECore` is the small library that every chapter builds on: tensors, matrix multiply,
// randomness, MNIST, and figures through gnuplot. Each chapter in `Chapters/` is one executable,
// run as `swift run -c release chNN-topic`. `figures` regenerates every figure; `bench` measures.
import PackageDescription

/// On x86-64, numeric code needs a CPU baseline with AVX2 and FMA, in every configuration, so
/// that `SIMD8<Float>.addingProduct` becomes one `vfmadd` instead of eight calls to `fmaf`, and
/// debug and release builds round alike. arm64 (Apple silicon, Linux arm64) has FMA and NEON in
/// its base instruction set and needs no flag. Release builds also optimise across module
/// boundaries, so that the library's generic helpers are specialised in the chapters that call
/// them. `-fno-math-errno` lets `squareRoot()` become one vectorised `vsqrtps` (C's `sqrtf` may
/// set `errno`, which keeps it scalar): Adam's step is about 6 times faster with it.
#if arch(x86_64)
let cpuFlags = ["-Xcc", "-march=x86-64-v3"]
#else
let cpuFlags: [String] = []
#endif
let numericSettings: [SwiftSetting] = [
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
]

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "VAECourse",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "VAECore", targets: ["VAECore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "VAECore",
            dependencies: ["CZlib"],
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
        .executableTarget(
            name: "vae",
            dependencies: ["VAECore", "CourseSupport", argumentParser],
            swiftSettings: numericSettings
        ),
        .executableTarget(
            name: "figures",
            dependencies: ["VAECore", "CourseSupport", argumentParser],
            swiftSettings: numericSettings
        ),
        .target(
            name: "CourseBook",
            dependencies: ["VAECore"]
        ),
        .executableTarget(
            name: "book",
            dependencies: ["CourseBook", "CourseSupport", argumentParser]
        ),
        .testTarget(
            name: "CourseBookTests",
            dependencies: ["CourseBook", "CourseSupport"]
        ),
        .testTarget(
            name: "VAECoreTests",
            dependencies: ["VAECore"],
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
