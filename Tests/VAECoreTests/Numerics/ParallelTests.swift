import Synchronization
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// `parallelFor`: every iteration runs exactly once, whoever calls it and however often.
@Suite struct ParallelTests {
    final class Slot: @unchecked Sendable { let value = Atomic<Int>(0) }
    final class Counts: @unchecked Sendable {
        let slots: [Slot]
        init(_ n: Int) { slots = (0..<n).map { _ in Slot() } }
        func hit(_ i: Int) { slots[i].value.wrappingAdd(1, ordering: .relaxed) }
        func all(equal n: Int) -> Bool { slots.allSatisfy { $0.value.load(ordering: .relaxed) == n } }
        var allOnce: Bool { all(equal: 1) }
    }

    @Test func everyIterationRunsOnce() {
        for n in [0, 1, 2, 3, 7, 64, 1000] {
            for _ in 0..<200 {  // many jobs back to back: a late worker must never run an old one
                let counts = Counts(n)
                parallelFor(iterations: n) { counts.hit($0) }
                #expect(counts.allOnce, "\(n) iterations")
                if !counts.allOnce { return }
            }
        }
    }

    /// A call from inside a job, and calls from several threads at once, run serially but fully.
    @Test func nestedAndConcurrentCalls() async {
        let outer = Counts(8 * 16)
        parallelFor(iterations: 8) { i in
            parallelFor(iterations: 16) { j in outer.hit(i * 16 + j) }
        }
        #expect(outer.allOnce)
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let counts = Counts(257)
                    for _ in 0..<50 { parallelFor(iterations: 257) { counts.hit($0) } }
                    return counts.all(equal: 50)
                }
            }
            for await ok in group { #expect(ok) }
        }
    }
}

@Suite struct StageLedgerTests {
    /// Nested stages: the innermost accrues, the outer resumes after it; the totals add up to the
    /// wall clock of the outermost stage.
    @Test func innerStagesTakeTheirTimeFromTheOuter() {
        var ledger = StageLedger()
        let second: UInt64 = 1_000_000_000
        ledger.begin(.training, at: 0)
        ledger.begin(.evaluation, at: 3 * second)        // an epoch's test evaluation
        #expect(ledger.totals(at: 4 * second) == { var t = StageClock.Totals(); t.training = 3; t.evaluation = 1; return t }())
        let innerEnded = ledger.end(at: 5 * second)
        let outerEnded = ledger.end(at: 10 * second)
        #expect(!innerEnded && outerEnded)
        ledger.begin(.drawing, at: 11 * second)
        let drawingEnded = ledger.end(at: 11 * second + second / 2)
        #expect(drawingEnded)
        #expect(ledger.closed.training == 8 && ledger.closed.evaluation == 2 && ledger.closed.drawing == 0.5)
        let strayEnded = ledger.end(at: 20 * second)          // an end without a begin changes nothing
        #expect(strayEnded && ledger.closed.training == 8)
    }
}
