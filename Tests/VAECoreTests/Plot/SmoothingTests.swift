import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The project's smoother for per-step curves, `exponentialMovingAverage`.
@Suite struct SmoothingTests {
    @Test func theSmootherIsTheWeightedMeanOfEverythingSoFar() {
        var random = RandomSource(seed: 5)
        let values = (0..<200).map { _ in Double(random.gaussian()) }
        let span = 25.0, beta = 1 - 2 / (span + 1)
        let smoothed = exponentialMovingAverage(values, span: span)
        // The first point is the first value (to rounding: α·x / (1 − β)).
        #expect(abs(smoothed[0] - values[0]) <= 1e-14 * abs(values[0]))
        for t in [1, 10, 24, 25, 26, 100, 199] {
            // Σ_i β^{t−i} x_i / Σ_i β^{t−i}, straight from the definition.
            let weights = (0...t).map { pow(beta, Double(t - $0)) }
            let mean = zip(weights, values).reduce(0.0) { $0 + $1.0 * $1.1 } / weights.reduce(0, +)
            #expect(abs(smoothed[t] - mean) < 1e-12, "t = \(t): \(smoothed[t]) against \(mean)")
        }
        #expect(exponentialMovingAverage([3, 3, 3, 3], span: 10).allSatisfy { abs($0 - 3) < 1e-14 })
        #expect(exponentialMovingAverage(values, span: 1) == values)
        #expect(exponentialMovingAverage([], span: 25) == [])
    }

    @Test func theSmootherHasNoSeam() {
        // A straight ramp: the smoothed curve's slope must rise gradually from ½ towards 1. A
        // trailing mean of 25 values holds the slope at ½ until its window is full, then jumps to 1.
        let ramp = (0..<300).map(Double.init)
        let smoothed = exponentialMovingAverage(ramp, span: 25)
        let slopes = zip(smoothed.dropFirst(), smoothed).map { $0 - $1 }
        let changes = zip(slopes.dropFirst(), slopes).map { $0 - $1 }
        #expect(changes.allSatisfy { $0 >= -1e-9 }, "the slope falls somewhere")
        #expect((changes.max() ?? 1) < 0.05, "the slope jumps by \(changes.max() ?? 1)")
        #expect(abs(slopes.last! - 1) < 1e-3)
    }
}
