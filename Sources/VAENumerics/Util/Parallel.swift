import Foundation
import Synchronization

/// The number of threads the library computes on: every online core, or `VAE_THREADS` when that
/// environment variable holds a number from 1 up (benchmarks measure one and two threads this
/// way). Read once, at the first parallel kernel.
public let computeThreads: Int = {
    let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
    guard let text = ProcessInfo.processInfo.environment["VAE_THREADS"], let n = Int(text), n >= 1 else { return cores }
    return n
}()

/// Runs `body(i)` for every i in 0..<iterations, spread over the calling thread and the
/// library's worker threads (one per extra core), and returns when all have run. The
/// iterations are handed out one at a time, first come first served, so a thread that starts
/// late (woken slowly, or sharing its core) simply takes fewer. `body` must be safe to run
/// concurrently for different i.
///
/// This is `DispatchQueue.concurrentPerform` with one difference that matters for a training
/// step made of a hundred short parallel kernels: the workers *spin* for a while after each job
/// (`WorkerPool.spinNanoseconds`) before they go to sleep, as OpenMP's do. With Dispatch, every
/// fork-join woke a sleeping thread: measured on this machine, 20–30 µs per fork-join when idle,
/// and under load the woken thread often ran only after the caller had done all the work alone,
/// so a step used little more than one core. A spinning worker picks a job up in well under a
/// microsecond. Its cost is CPU time burnt while spinning, at most `spinNanoseconds` after the
/// last job (yielding the core after the first 50 µs). Measured on the reference VAE's training
/// step (`bench train-step`, nearly idle machine): 36 ms per step with Dispatch, 27 ms with
/// this pool.
///
/// A call made while another is running (from inside `body`, or from a second thread) runs its
/// iterations on the calling thread, in order.
public func parallelFor(iterations: Int, _ body: (Int) -> Void) {
    WorkerPool.shared.run(iterations: iterations, body)
}

/// The worker threads behind `parallelFor`.
///
/// Each worker owns one atomic word, `generation·4 + phase`: phase `assigned` when the caller
/// has published a job for it, `running` once the worker has claimed it, `done` when it has left
/// the job. A caller that has run out of iterations *revokes* the assignment of a worker that
/// has not claimed it yet (compare-and-exchange assigned → done), and waits only for workers
/// that are running; so a worker that is asleep or descheduled never holds up a caller, and a
/// late worker can never run an old job.
final class WorkerPool: @unchecked Sendable {
    /// How long an idle worker spins before it sleeps. Long enough to bridge the gaps between
    /// the kernels of a training step (the optimizer step, the small layers); short enough that
    /// an idle program stops using the core almost at once.
    static let spinNanoseconds: UInt64 = 2_000_000
    /// How long of that it spins without yielding its core.
    static let busySpinNanoseconds: UInt64 = 50_000

    static let shared = WorkerPool(workers: max(0, computeThreads - 1))

    private static let idle = 0, assigned = 1, running = 2

    /// One state word per worker.
    private final class Worker: @unchecked Sendable {
        let state = Atomic<Int>(0)
    }

    private let workers: [Worker]
    /// Set while a job runs: a second caller finds it taken and runs serially.
    private let busy = Atomic<Bool>(false)
    /// The next iteration to hand out.
    private let next = Atomic<Int>(0)
    /// Workers that are asleep (or about to sleep): the caller wakes them through `condition`.
    private let sleepers = Atomic<Int>(0)
    private let condition = NSCondition()
    private var generation = 0
    /// The job: written by the caller before it publishes the assignments (release), read by a
    /// worker after it has claimed one (acquire).
    nonisolated(unsafe) private var job: ((Int) -> Void)?
    nonisolated(unsafe) private var iterations = 0

    private init(workers count: Int) {
        workers = (0..<count).map { _ in Worker() }
        for worker in workers {
            let thread = Thread { [self] in self.work(worker) }
            thread.name = "VAECore worker"
            thread.start()
        }
    }

    func run(iterations count: Int, _ body: (Int) -> Void) {
        guard count > 1, !workers.isEmpty,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            job = body
            iterations = count
            next.store(0, ordering: .relaxed)
            generation += 1
            let assignment = generation * 4 + Self.assigned
            for worker in workers { worker.state.store(assignment, ordering: .sequentiallyConsistent) }
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                condition.lock()
                condition.broadcast()
                condition.unlock()
            }
            take(body, count)
            let done = generation * 4 + Self.idle
            for worker in workers {
                // Revoke an assignment not yet claimed; else wait for the worker to finish.
                if !worker.state.compareExchange(expected: assignment, desired: done, ordering: .acquiringAndReleasing).exchanged {
                    var spins = 0
                    while worker.state.load(ordering: .acquiring) != done {
                        spins &+= 1
                        if spins > 4096 { sched_yield() }  // the worker lost its core: let it have ours
                    }
                }
            }
            job = nil
        }
        busy.store(false, ordering: .releasing)
    }

    /// Runs iterations until none are left.
    @inline(__always)
    private func take(_ body: (Int) -> Void, _ count: Int) {
        while true {
            let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
            if i >= count { return }
            body(i)
        }
    }

    private func work(_ worker: Worker) {
        while true {
            let state = waitForAssignment(worker)
            let done = state - Self.assigned + Self.idle
            guard worker.state.compareExchange(expected: state, desired: state - Self.assigned + Self.running,
                                               ordering: .acquiringAndReleasing).exchanged else { continue }  // revoked
            runCurrentJob()
            worker.state.store(done, ordering: .releasing)
        }
    }

    /// The worker's share of the current job. A function of its own, so that the worker's
    /// reference to the job's closure is released when it returns, before the worker reports
    /// `done`: the caller's `withoutActuallyEscaping` checks that no reference is left.
    @inline(never)
    private func runCurrentJob() {
        if let body = job { take(body, iterations) }
    }

    /// Spins, then sleeps, until the worker's state is an assignment; returns it.
    ///
    /// After the first `busySpinNanoseconds` the spinning yields the core on every round
    /// (`sched_yield`): on a machine with more runnable threads than cores, a worker that only
    /// spun would take the core from the very thread it waits for.
    private func waitForAssignment(_ worker: Worker) -> Int {
        let start = Stopwatch()
        var spins = 0
        var yielding = false
        while true {
            let state = worker.state.load(ordering: .acquiring)
            if state & 3 == Self.assigned { return state }
            if yielding { sched_yield() }
            spins &+= 1
            if spins & 255 == 0 {
                let elapsed = start.elapsedNanoseconds
                if elapsed > Self.spinNanoseconds { break }
                yielding = elapsed > Self.busySpinNanoseconds
            }
        }
        condition.lock()
        sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
        var state = worker.state.load(ordering: .sequentiallyConsistent)
        while state & 3 != Self.assigned {
            condition.wait()
            state = worker.state.load(ordering: .sequentiallyConsistent)
        }
        sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        condition.unlock()
        return state
    }
}

/// Runs `body` on contiguous chunks of 0..<count, one chunk per core when the total work
/// (count·workPerItem element moves) is large enough to repay a fork-join, else inline
/// (through `parallelFor`).
/// Callers split by what each item writes, so that chunks never write the same memory.
package func forEachChunk(count: Int, workPerItem: Int, _ body: (Range<Int>) -> Void) {
    let cores = computeThreads
    let chunks = min(cores, count)
    guard chunks > 1, count * workPerItem >= 1 << 16 else {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { escapable in
        nonisolated(unsafe) let run = escapable
        parallelFor(iterations: chunks) { chunk in
            run((chunk * count / chunks) ..< ((chunk + 1) * count / chunks))
        }
    }
}
