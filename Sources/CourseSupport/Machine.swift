import Foundation

/// The machine a measurement was made on, in words, for the figures and records that report one:
/// a timing means little without it.
public enum Machine {
    /// "AMD EPYC 9R14 96-Core Processor (2 cores, AVX-512; built for x86-64-v4)": the processor
    /// from Linux's /proc/cpuinfo ("unknown processor" elsewhere), the cores this process is
    /// offered, the widest vector extension the processor has, and the instruction set this build
    /// targets (which picks the GEMM's micro-kernel).
    public static let description: String = {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let lines = info.split(separator: "\n")
        let model = lines.first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown processor"
        let flags = lines.first { $0.hasPrefix("flags") } ?? ""
        let vector = flags.contains("avx512f") ? "AVX-512" : flags.contains("avx2") ? "AVX2" : "no AVX2"
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return "\(model) (\(cores) core\(cores == 1 ? "" : "s"), \(info.isEmpty ? "" : vector + "; ")built for \(buildTarget))"
    }()

    /// The instruction set this build targets, as `Package.swift` chose it (`VAE_CPU` overrides).
    public static var buildTarget: String {
        #if VAE_AVX512
        "x86-64-v4"
        #elseif arch(x86_64)
        "x86-64-v3"
        #else
        "arm64"
        #endif
    }
}
