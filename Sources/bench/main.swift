import ArgumentParser

/// `bench`: the course's measurements, one subcommand per kernel family.
///
///     swift run -c release bench gemm
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the speed of the course's kernels.",
        subcommands: [GEMMBenchmark.self, LayerBenchmark.self, TrainStepBenchmark.self, EvaluateBenchmark.self, MemoryBenchmark.self]
    )
}

Bench.main()
