/// The project's smoother for noisy per-step curves (one training batch per point): an
/// exponential moving average with bias correction, as Adam corrects its moments.
///
/// With α = 2 / (span + 1) and β = 1 − α,
///
///     m_t = β·m_{t−1} + α·x_t,  m_0 = 0,   smoothed_t = m_t / (1 − β^t)   (t = 1, 2, …)
///
/// so smoothed_t is the weighted mean Σ_i β^{t−i} x_i / Σ_i β^{t−i} of every value so far. Its
/// weights change smoothly from one point to the next: the first point is x_1 itself, and the
/// average widens gradually to its full span. A trailing mean of `span` values instead is the
/// plain mean of everything so far until the window fills and then abruptly stops widening,
/// which draws a false kink into a falling curve where it does (near update 100 for a window of
/// 25 records taken every fourth update). The span is the trailing window with the same mean
/// age of its points, (span − 1) / 2 steps back.
///
/// - Parameter span: about how many recent values the average covers; 1 or less leaves the
///   values as they are. A non-finite value (a diverged loss) makes the rest NaN, as it would a
///   mean: the plot shows a gap from there.
public func exponentialMovingAverage(_ values: [Double], span: Double) -> [Double] {
    guard span > 1, span.isFinite else { return values }
    let alpha = 2 / (span + 1), beta = 1 - alpha
    var average = 0.0, decayed = 1.0   // decayed = β^t
    return values.map { value in
        average = beta * average + alpha * value
        decayed *= beta
        return average / (1 - decayed)
    }
}
