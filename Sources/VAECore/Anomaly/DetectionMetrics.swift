import Foundation

// How well a score separates in-distribution images from out-of-distribution ones.
//
// Convention, everywhere in this folder: a score is an *anomaly* score, higher meaning "less like
// the training data", and the out-of-distribution images are the positive class. A detector
// flags an image when its score is at least a threshold t; sweeping t from +∞ down to −∞ traces
// every trade-off between catching anomalies (true positives) and raising false alarms on normal
// images (false positives).

/// A score or a set of scores that cannot be measured: an empty class, a NaN or an infinity, a
/// bad batch size.
public struct AnomalyError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The receiver operating characteristic of a score: one point (FPR, TPR) per distinct threshold.
///
/// With the thresholds t₁ > t₂ > … the distinct score values, and an image flagged when its
/// score ≥ t, point j holds
///
///     TPR_j = #{out ≥ t_j} / N_out,   FPR_j = #{in ≥ t_j} / N_in,
///
/// after the starting point (0, 0) of t = +∞. Tied scores share a threshold, so a tie between an
/// in and an out image moves the curve diagonally (both rates at once) and adds half a cell of
/// area: the same convention as counting ties as half in the AUROC.
public struct ROCCurve: Sendable, Equatable {
    /// FPR at t = +∞ (0), then at each threshold; ends at 1.
    public var falsePositiveRates: [Double]
    /// TPR at t = +∞ (0), then at each threshold; ends at 1.
    public var truePositiveRates: [Double]
    /// The thresholds, decreasing (one fewer than the points: the first point has none).
    var thresholds: [Double]
    /// Cumulative counts at each point, for the other metrics: out and in images with score ≥ t.
    var truePositives: [Int]
    var falsePositives: [Int]
    /// N_in and N_out.
    let inCount: Int
    let outCount: Int

    /// The ROC of `outScores` (positives) against `inScores` (negatives).
    /// - Throws: `AnomalyError` when either class is empty or a score is not finite.
    /// - Complexity: O(N log N) for the sort, N = N_in + N_out.
    public init(inScores: [Double], outScores: [Double]) throws {
        guard !inScores.isEmpty else { throw AnomalyError("there are no in-distribution scores: an ROC needs both classes") }
        guard !outScores.isEmpty else { throw AnomalyError("there are no out-of-distribution scores: an ROC needs both classes") }
        if let bad = inScores.firstIndex(where: { !$0.isFinite }) {
            throw AnomalyError("in-distribution score \(bad) is \(inScores[bad]): scores must be finite")
        }
        if let bad = outScores.firstIndex(where: { !$0.isFinite }) {
            throw AnomalyError("out-of-distribution score \(bad) is \(outScores[bad]): scores must be finite")
        }
        // (score, is out), highest score first.
        let all = (inScores.map { ($0, false) } + outScores.map { ($0, true) }).sorted { $0.0 > $1.0 }
        var tp = [0], fp = [0], thresholds: [Double] = []
        var i = 0
        while i < all.count {
            let t = all[i].0
            var (outs, ins) = (0, 0)
            while i < all.count && all[i].0 == t {
                if all[i].1 { outs += 1 } else { ins += 1 }
                i += 1
            }
            thresholds.append(t)
            tp.append(tp.last! + outs)
            fp.append(fp.last! + ins)
        }
        inCount = inScores.count
        outCount = outScores.count
        truePositives = tp
        falsePositives = fp
        self.thresholds = thresholds
        truePositiveRates = tp.map { Double($0) / Double(outScores.count) }
        falsePositiveRates = fp.map { Double($0) / Double(inScores.count) }
    }

    /// The area under the curve by the trapezoidal rule: the probability that a random out image
    /// scores higher than a random in image, ties counted as half (the Mann–Whitney U statistic
    /// over N_in·N_out). 1 separates perfectly, 0.5 is chance, 0 separates perfectly the wrong way
    /// round.
    public var area: Double {
        // Σ ΔFP·(TP_before + ΔTP/2), in whole counts: 2·Σ ΔFP·(2·TP_before + ΔTP) / (4·N_in·N_out).
        var doubled = 0.0
        for j in 1..<truePositives.count {
            let dfp = Double(falsePositives[j] - falsePositives[j - 1])
            doubled += dfp * Double(truePositives[j - 1] + truePositives[j])
        }
        return doubled / (2 * Double(inCount) * Double(outCount))
    }

    /// Average precision: Σ_j (R_j − R_{j−1})·P_j over the thresholds, with recall R_j = TPR_j and
    /// precision P_j = TP_j / (TP_j + FP_j) — the area under the precision–recall curve taken as a
    /// step function (scikit-learn's `average_precision_score`), no interpolation. A random score
    /// gets about N_out / (N_in + N_out), not 0.5: unlike the AUROC, it depends on the share of
    /// anomalies.
    var averagePrecision: Double {
        var sum = 0.0
        for j in 1..<truePositives.count where truePositives[j] > truePositives[j - 1] {
            let precision = Double(truePositives[j]) / Double(truePositives[j] + falsePositives[j])
            sum += Double(truePositives[j] - truePositives[j - 1]) / Double(outCount) * precision
        }
        return sum
    }

    /// The false-positive rate at the first threshold (from the top) that catches at least
    /// `recall` of the anomalies: how many normal images are flagged when 95% of the anomalies
    /// must be. Ties are not split, so the rate is that of a threshold a detector can use.
    func falsePositiveRate(atTruePositiveRate recall: Double) -> Double {
        // The smallest count c with c / N_out ≥ recall, so that 0.95·20 needs 19 (and not the 20 that
        // 19.000000000000004 would round up to).
        let needed = Int((recall * Double(outCount) - 1e-9).rounded(.up))
        let index = truePositives.firstIndex { $0 >= needed } ?? truePositives.count - 1
        return falsePositiveRates[index]
    }
}

/// The three numbers of a detection experiment.
public struct DetectionMetrics: Sendable, Equatable, Codable {
    /// Area under the ROC curve (ties as half).
    public var auroc: Double
    /// Area under the precision–recall curve (average precision), out-of-distribution positive.
    public var aupr: Double
    /// False-positive rate at 95% true-positive rate.
    var fprAt95: Double
    /// N_in and N_out.
    var inCount: Int
    var outCount: Int

    /// The metrics of `outScores` (positives) against `inScores`.
    /// - Throws: `AnomalyError` when either class is empty or a score is not finite.
    public init(inScores: [Double], outScores: [Double]) throws {
        let roc = try ROCCurve(inScores: inScores, outScores: outScores)
        auroc = roc.area
        aupr = roc.averagePrecision
        fprAt95 = roc.falsePositiveRate(atTruePositiveRate: 0.95)
        inCount = roc.inCount
        outCount = roc.outCount
    }

    /// `auroc=0.9990 aupr=0.9985 fpr95=0.0040`: the fields of the chapters' summary lines.
    public var line: String {
        String(format: "auroc=%.4f aupr=%.4f fpr95=%.4f", auroc, aupr, fprAt95)
    }
}

/// Naive reference of the AUROC: every (in, out) pair, 1 when the out image scores higher, ½ for
/// a tie. O(N_in·N_out); for tests.
func aurocByPairs(inScores: [Double], outScores: [Double]) -> Double {
    var wins = 0.0
    for o in outScores {
        for i in inScores { wins += o > i ? 1 : (o == i ? 0.5 : 0) }
    }
    return wins / (Double(inScores.count) * Double(outScores.count))
}
