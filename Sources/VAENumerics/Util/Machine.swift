import Foundation

/// The machine a measurement ran on, in words, so that a timing can name it.
public enum Machine {
    /// "AMD EPYC … (2 cores, AVX-512)": the processor's model name and vector extension, from
    /// /proc/cpuinfo, and the cores this process may use ("unknown processor" where there is no
    /// /proc/cpuinfo).
    public static var processor: String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let lines = info.split(separator: "\n")
        let model = lines.first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown processor"
        let flags = lines.first { $0.hasPrefix("flags") } ?? ""
        let vector = flags.contains("avx512f") ? "AVX-512" : flags.contains("avx2") ? "AVX2" : "no AVX2"
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return "\(model) (\(cores) core\(cores == 1 ? "" : "s"), \(vector))"
    }
}
