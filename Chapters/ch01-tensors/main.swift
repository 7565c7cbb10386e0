// Chapter 1 — Tensors, matrix multiply, MNIST and randomness
// =========================================================
//
// Everything in this course is built from three things: arrays of numbers with a shape
// (tensors), one operation that does nearly all the arithmetic (the matrix multiply), and a
// source of random numbers we control. This chapter builds each, measures it, and looks at the
// data we will model: 70,000 handwritten digits.
//
//     swift run -c release ch01-tensors [--quick] [--sizes N ...] [--threads N] [--blocks KC NC]
//                                       [--sampler box-muller|twelve-uniforms] [--data DIR] [--figures DIR] [--seed N]
//
// Figures: ch01-gemm-gflops.png, ch01-mnist-digits.png, ch01-gaussian.png.

import ArgumentParser
import CourseSupport
import Foundation
import VAECore

struct Chapter1: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch01-tensors",
        abstract: "Chapter 1: tensors, matrix multiply from naive to fast, MNIST, and our Gaussian sampler.")

    @OptionGroup var options: ChapterOptions

    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "Square sizes M = K = N at which the matrix multiply is timed (default: 32 to 1024, or 32 to 256 with --quick).",
        valueName: "n"))
    var sizes: [Int] = []

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Threads of step 5, the library's gemm on several cores (default: one per core).", valueName: "n"))
    var threads: Int?

    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "Step 3's blocks: rows of B (kc) and columns of B and C (nc) kept in cache (default: \(CacheBlocks().kc) \(CacheBlocks().nc)).",
        valueName: "n"))
    var blocks: [Int] = []

    @Option(parsing: .unconditional, help: "The Gaussian sampler of section 4: box-muller, or twelve-uniforms (the sum of 12 uniforms minus 6).")
    var sampler: GaussianSampler = .boxMuller

    /// Section 4's two ways to draw N(0, 1).
    enum GaussianSampler: String, ExpressibleByArgument {
        case boxMuller = "box-muller"
        case twelveUniforms = "twelve-uniforms"
    }

    /// Step 3's blocks, as asked.
    var cacheBlocks: CacheBlocks { blocks.isEmpty ? CacheBlocks() : CacheBlocks(kc: blocks[0], nc: blocks[1]) }

    func validate() throws {
        for size in sizes where !(1...4096).contains(size) {
            throw ValidationError("every --sizes value must lie between 1 and 4096, not \(size)")
        }
        if let threads, !(1...256).contains(threads) {
            throw ValidationError("--threads must lie between 1 and 256, not \(threads)")
        }
        if !blocks.isEmpty {
            guard blocks.count == 2 else { throw ValidationError("--blocks takes two sizes, kc and nc, not \(blocks.count)") }
            for block in blocks where !(1...4096).contains(block) {
                throw ValidationError("every --blocks value must lie between 1 and 4096, not \(block)")
            }
        }
    }

    func run() throws {
        options.announcePlan()                    // what it will train or reuse, and for how long
        let figures = try options.figureWriter()
        tensors()
        try matrixMultiply(figures)
        try digits(figures)
        try randomness(figures)
    }

    // MARK: 1. What a tensor is
    //
    // A tensor is a block of numbers with a *shape*. A batch of 128 grey MNIST images is a tensor
    // of shape (N, C, H, W) = (128, 1, 28, 28): N images, C channels (1 for grey, 3 for colour),
    // H rows, W columns. Memory, though, is one long line of floats, so a tensor also needs a rule
    // that maps (n, c, h, w) to a position in that line. We use the row-major rule, NCHW:
    //
    //     offset(n, c, h, w) = ((n·C + c)·H + h)·W + w
    //
    // The last index moves fastest. The *strides* say how far one step along each axis moves in
    // memory: (C·H·W, H·W, W, 1). Two consequences shape every kernel we write later:
    //   - Walking along w touches neighbouring floats, which the CPU loads 8 at a time (one SIMD
    //     register) and 16 at a time (one 64-byte cache line). Inner loops should run along the
    //     last axis.
    //   - Reshaping (128, 64, 7, 7) into (128, 3136) changes no number in memory: only the shape.
    //     That is how the encoder's feature maps become the input of a fully connected layer.
    func tensors() {
        section("1. Tensors: shape, NCHW layout, strides")
        var batch = Tensor(shape: [2, 3, 4, 5])
        print("a batch of shape \(batch.shape) holds \(batch.count) floats; strides \(batch.strides)")
        batch[1, 2, 3, 4] = 1
        let offset = batch.offset(of: [1, 2, 3, 4])
        print("element (n=1, c=2, h=3, w=4) lives at offset ((1·3 + 2)·4 + 3)·5 + 4 = \(offset)")
        let flat = batch.reshaped([2, -1])
        print("reshaped to \(flat.shape): the same \(flat.count) floats, now one row per image;"
              + " the 1 is still at offset \(flat.scalars.firstIndex(of: 1)!)")
    }

    // MARK: 2. The matrix multiply, from a loop to the machine's peak
    //
    // C = A·B with A of M×K and B of K×N costs M·N·K multiply-adds, 2·M·N·K floating-point
    // operations. Every layer of the VAE is one: a fully connected layer multiplies a batch of
    // rows by a weight matrix, and a convolution becomes one after im2col (chapter 2). So the
    // speed of the whole course is the speed of this one function.
    //
    // How fast could it be? A recent x86 core with AVX2 issues two 8-wide fused multiply-adds
    // per cycle: 2 FMAs × 8 floats × 2 operations = 32 FLOP per cycle, about 100 GFLOP/s per
    // core at ~3 GHz. A core with AVX-512 and full-width units (Zen 5, Intel's server cores)
    // issues two 16-wide ones: 64 FLOP per cycle, about 200 GFLOP/s per core (Zen 4 splits each
    // 512-bit operation into two 256-bit halves, so it stays at 32). Times the number of cores.
    // The naive triple loop gets a few GFLOP/s: it is not the arithmetic that is slow, it is
    // waiting for memory. The steps below (in
    // MatmulSteps.swift) close that gap one idea at a time, and we measure each:
    //   1. naive i-j-k: each C[i][j] is a dot product that strides down a column of B, touching
    //      a new cache line for every multiply;
    //   2. i-k-j: reorder the loops so the inner loop runs along rows of B and C, which are
    //      contiguous; the compiler can now vectorise it;
    //   3. blocking: work on tiles of A, B and C small enough to stay in cache, so each number
    //      loaded from memory is used many times (by default blocks of 128 rows of B by 256
    //      columns, `CacheBlocks`; the section prints them, and `--blocks` changes them);
    //   4. packing + a SIMD micro-kernel: copy tiles into the exact order the kernel reads, and
    //      keep a block of C in vector registers while streaming A and B through: 6×16 floats in
    //      12 of AVX2's 16 registers, or, where the processor has AVX-512, 8×32 floats in 16 of
    //      its 32 (the package builds the one the machine has; the section prints which ran,
    //      and both give the same bits);
    //   5. every core: split C into blocks that the cores compute independently, handed out by
    //      the library's `parallelFor` (Sources/VAENumerics/Util/Parallel.swift).
    // The section prints how many cores this machine offers
    // (`ProcessInfo.processInfo.activeProcessorCount`): step 5 can at best multiply step 4's
    // speed by that number. The last two steps are the library's `gemm`, which every later
    // chapter uses. OpenBLAS, a mature hand-tuned BLAS, is measured beside it when it is
    // installed (Debian's libopenblas0, loaded at run time: it is never a dependency).
    // `swift run -c release bench gemm` compares the two more carefully, on the shapes the VAE
    // uses.
    func matrixMultiply(_ figures: FigureWriter) throws {
        section("2. Matrix multiply: naive → reordered → blocked → SIMD → all cores")
        let sizes = !self.sizes.isEmpty ? Set(self.sizes).sorted()
            : options.quick ? [32, 64, 128, 256] : [32, 64, 128, 256, 384, 512, 768, 1024]
        let threads = self.threads ?? gemmMaxThreads
        print("this machine offers \(ProcessInfo.processInfo.activeProcessorCount) cores to this process;"
              + " step 5 runs on \(threads) thread\(threads == 1 ? "" : "s")")
        print("the SIMD micro-kernel of steps 4 and 5: \(gemmMicroKernelSummary)")
        print("step 3's blocks: kc = \(cacheBlocks.kc) rows of B, nc = \(cacheBlocks.nc) columns of B and C")
        if let why = OpenBLAS.loadError { print("OpenBLAS is not measured: \(why)") }
        let results = measureMatmulSteps(sizes: sizes, threads: threads, blocks: cacheBlocks)
        var steps: [String] = []
        for r in results where !steps.contains(r.step) { steps.append(r.step) }
        print("GFLOP/s (best of several runs; square M = K = N):")
        print("step".padding(toLength: 26, withPad: " ", startingAt: 0)
              + sizes.map { String($0).leftPadded(to: 8) }.joined())
        for step in steps {
            var row = step.padding(toLength: 26, withPad: " ", startingAt: 0)
            for size in sizes {
                let cell = results.first { $0.step == step && $0.size == size }.map { String(format: "%.1f", $0.gflops) } ?? "—"
                row += cell.leftPadded(to: 8)
            }
            print(row)
        }
        // Our steps as points joined by lines, each its own marker (steps 4 and 5 coincide where
        // one thread is all a small product uses); OpenBLAS, the reference, as a dashed black
        // line on top. The axes span the measured sizes and speeds; the room above the fastest
        // curve holds the legend.
        let markers = [7, 5, 9, 13, 6]
        let series = steps.enumerated().map { index, step in
            let points = results.filter { $0.step == step }
            let reference = step.hasPrefix("OpenBLAS")
            var line = Series(step, x: points.map { Double($0.size) }, y: points.map(\.gflops), style: reference ? .dashed : .linesPoints,
                              color: reference ? "#000000" : nil, lineWidth: reference ? 2 : 1.6)
            line.pointType = markers[index % markers.count]
            return line
        }.sorted { !$0.title.hasPrefix("OpenBLAS") && $1.title.hasPrefix("OpenBLAS") }
        let speeds = results.map(\.gflops).filter { $0 > 0 }
        let (lowest, highest) = (speeds.min() ?? 1, speeds.max() ?? 10)
        try figures.save(Figure(.lines(series, title: "Matrix multiply: GFLOP/s against size",
                                       xlabel: "M = K = N (log scale)", ylabel: "GFLOP/s (log scale)", logX: true, logY: true,
                                       xRange: Double(sizes.first!) / 1.15...Double(sizes.last!) * 1.15,
                                       yRange: lowest / 1.5...highest * 6, legend: .topLeft,
                                       xTickLabels: sizes.map { TickLabel(String($0), at: Double($0)) })),
                         as: "ch01-gemm-gflops")
    }

    // MARK: 3. The data: MNIST
    //
    // MNIST is 70,000 grey 28×28 images of handwritten digits, 60,000 for training and 10,000 for
    // testing, stored in the IDX format: a big-endian header (a magic number, then the size of
    // each dimension) followed by one unsigned byte per pixel, the whole file gzip-compressed.
    // We inflate it with the system's zlib, check the header against the file's length, check
    // the decompressed bytes against the SHA-256 sums shipped beside them, and scale each pixel
    // to [0, 1]. A file that is missing, truncated or mislabelled stops the program with a
    // message that names it: a model trained on half a file would fail silently much later.
    func digits(_ figures: FigureWriter) throws {
        section("3. MNIST")
        let train = try options.loadMNIST(.train)
        var counts = [Int](repeating: 0, count: 10)
        for label in train.labels { counts[Int(label)] += 1 }
        print("training images: \(train.count), shape \(train.images.shape); per digit: \(counts)")
        print(String(format: "mean pixel %.4f (the usual normalisation constant 0.1307)", train.images.mean()))

        var random = RandomSource(seed: options.seed)
        let picks = (0..<40).map { _ in random.uniformInt(below: train.count) }
        let images = picks.map { train.images.slice($0).scalars }
        let grid = try ImageGrid(images: images, rows: 4, columns: 10,
                                 captions: picks.map { "\(train.labels[$0])" })
        try figures.save(Figure(.images(grid, title: "MNIST training digits and their labels")),
                         as: "ch01-mnist-digits")
    }

    // MARK: 4. Randomness we control
    //
    // A VAE samples: the reparameterisation z = μ + σ·ε needs Gaussian noise ε at every step,
    // weights start random, batches are shuffled, pixels are binarised by coin flips. For a run to
    // be repeatable, all of it must flow from one seed. Our generator is xoshiro256**: four 64-bit
    // words of state, a few shifts, rotations and multiplies per draw, statistically excellent,
    // and its state fits in a checkpoint (a resumed run continues the exact same stream).
    //
    // Uniform floats come from the top 24 bits of a draw. Gaussians come from the Box–Muller
    // transform: for independent uniforms u₁, u₂,
    //
    //     r = √(−2 ln u₁),  θ = 2π u₂,   z₁ = r cos θ,  z₂ = r sin θ
    //
    // are two independent N(0, 1) draws. Why: a 2-D standard Gaussian is symmetric under rotation,
    // so its angle is uniform; and its squared radius r² is exponentially distributed with mean 2,
    // which is exactly −2 ln u₁. The histogram below compares 100,000 draws with the density
    // φ(z) = e^{−z²/2} / √(2π).
    //
    // A mean and a variance cannot tell a good sampler from a poor one: the old trick of adding
    // twelve uniforms and subtracting 6 (`--sampler twelve-uniforms`) has mean 0 and variance
    // 12 · 1/12 = 1 exactly, yet it can never pass ±6 and its tails are too thin. The tails are
    // where it shows, so the run also counts the draws beyond |z| > 4: under N(0, 1) a share
    // 2(1 − Φ(4)) = 6.33·10⁻⁵ of them, 6.3 in 100,000.
    func randomness(_ figures: FigureWriter) throws {
        section("4. Gaussian sampling (Box–Muller)")
        var random = RandomSource(seed: options.seed)
        let n = options.quick ? 20_000 : 100_000
        let draws: [Double] = (0..<n).map { _ in
            switch sampler {
            case .boxMuller: Double(random.gaussian())
            case .twelveUniforms: (0..<12).reduce(0) { sum, _ in sum + Double(random.uniform()) } - 6
            }
        }
        let mean = draws.reduce(0, +) / Double(n)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        print(String(format: "%d draws: mean %.4f (expect 0 ± %.4f), variance %.4f (expect 1)",
                     n, mean, 3 / Double(n).squareRoot(), variance))
        let beyondFour = draws.filter { abs($0) > 4 }.count
        let tailShare = erfc(4 / 2.0.squareRoot())           // P(|z| > 4) = 2(1 − Φ(4)) = erfc(4/√2)
        print(String(format: "draws with |z| > 4: %d (expect %.1f under N(0, 1)); the largest |z|: %.2f",
                     beyondFour, tailShare * Double(n), draws.map(abs).max() ?? 0))
        let name = sampler == .boxMuller ? "Box–Muller" : "twelve-uniform"
        let density = Series.function("N(0,1) density", over: -4.5...4.5) { z in exp(-z * z / 2) / (2 * Double.pi).squareRoot() }
        try figures.save(Figure(.histogram(Histogram(draws, bins: 60, range: -4.5...4.5, title: "our sampler"),
                                           overlays: [density],
                                           title: "\(n) \(name) draws against the N(0,1) density",
                                           xlabel: "z", ylabel: "density")),
                         as: "ch01-gaussian")
    }
}

extension String {
    /// The string right-aligned in a column of `width` characters.
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

Chapter1.main()

// MARK: What you learned
//
// A tensor is one long line of floats plus a shape: the row-major NCHW rule and its strides map
// every index (n, c, h, w) to one offset, so walking along the last axis touches neighbouring
// floats and a reshape changes no number in memory. The matrix multiply C = A·B costs 2·M·N·K
// floating-point operations and carries nearly all of the course's arithmetic, and its speed is set
// by memory far more than by arithmetic. The run's table measures what each idea buys: reordering
// the loops so the inner one runs along rows, blocking for the cache, packing tiles for a SIMD
// micro-kernel that keeps a block of C in registers, and spreading blocks over every core, the last
// two being the library's `gemm` that every later chapter uses. MNIST is 70,000 grey 28×28 digits,
// read from IDX files whose headers and checksums are verified and scaled to [0, 1]. All of a run's
// randomness flows from one seed through xoshiro256**, and the Box–Muller transform turns two
// uniforms into two independent N(0, 1) draws, because a 2-D standard Gaussian has a uniform angle
// and a squared radius distributed like −2 ln u; the run's histogram of its draws sits on the
// density φ(z) = e^{−z²/2} / √(2π).

// MARK: Experiments
//
// 1. Threads against cores. `swift run -c release ch01-tensors --threads 1 --figures /tmp/ch01-threads1`,
//    then `--threads 2` (each with a `--figures` folder of its own) and so on up to the core
//    count the chapter prints (and one past it): step 5's row of the GFLOP/s table. At 1 thread it matches step 4; each added core should add nearly step 4's
//    speed at the large sizes and little at 32 or 64, where a fork-join costs as much as the
//    product. Past the core count, threads only share cores. Compare with step 5's row and the
//    ch01-gemm-gflops figure of the default run.
//    Answer: run `ch01-tensors --threads 1 --figures /tmp/ch01-threads1`, section 2
// 2. Ragged sizes. `swift run -c release ch01-tensors --sizes 95 96 97 191 192 193 --figures /tmp/ch01-ragged`:
//    the micro-kernel works on tiles of 6×16 (AVX2) or 8×32 (AVX-512; section 2 prints which), so
//    sizes that are not multiples of the tile pad the packed slivers with zeros and waste part of
//    the last tile (96 and 192 fill whole tiles of either kernel).
//    Compare steps 4 and 5 at 95, 97, 191 and 193 with 96 and 192, and with the nearest sizes
//    of the default run's table.
//    Answer: run `ch01-tensors --sizes 95 96 97 191 192 193 --figures /tmp/ch01-ragged`, section 2
// 3. The block size of step 3. `swift run -c release ch01-tensors --blocks 16 32 --figures /tmp/ch01-blocks16`,
//    then `--blocks 1024 1024 --figures /tmp/ch01-blocks1024` (or change the defaults of `CacheBlocks` in
//    MatmulSteps.swift, `kc = 128` and `nc = 256`, and run the chapter again): too small a block
//    reloads C for every few products, too large a one no longer stays in cache. Watch the
//    "3 cache-blocked" row against its value in the default run.
//    Answer: run `ch01-tensors --blocks 16 32 --figures /tmp/ch01-blocks16`, lines "step 3's blocks", "GFLOP/s (", "step  ", "3 cache-blocked"
//    Answer: run `ch01-tensors --blocks 1024 1024 --figures /tmp/ch01-blocks1024`, lines "step 3's blocks", "GFLOP/s (", "step  ", "3 cache-blocked"
// 4. A worse Gaussian. `swift run -c release ch01-tensors --sampler twelve-uniforms --figures /tmp/ch01-twelve`
//    draws section 4's numbers by the old trick of twelve uniforms (`randomness` shows the line):
//    its mean and variance are right, but it can never exceed ±6 and its tails are too thin. Does
//    the mean and variance line tell the two samplers apart? Does ch01-gaussian, by eye? Compare
//    the |z| > 4 line with the default run's.
//    Answer: run `ch01-tensors --sampler twelve-uniforms --figures /tmp/ch01-twelve`, section 4
