import CourseSupport
import Foundation
import Testing

/// The machine in words, as run records and the benchmarks' figures name it.
struct MachineTests {
    @Test func namesTheProcessorTheCoresAndTheBuild() {
        let words = Machine.description
        #expect(words.hasSuffix("built for \(Machine.buildTarget))"), "\(words)")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(words.contains("(\(cores) core\(cores == 1 ? "" : "s"), "), "\(words)")
        #if os(Linux) && arch(x86_64)
        #expect(!words.hasPrefix("unknown processor"), "Linux's /proc/cpuinfo names the processor: \(words)")
        #endif
        #expect(!words.contains("\n"), "one line, as a run record holds it")
    }
}
