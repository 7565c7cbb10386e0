import VAENumerics

/// Continuous colour maps for heatmaps and image grids: a value in the colour range maps to a
/// colour, through gnuplot's `set palette defined`.
public enum Palette: Sendable, Equatable {
    /// Black (low) to white (high): MNIST digits as white ink on black, like matplotlib's `gray`.
    case gray
    /// White (low) to black (high): black ink on paper.
    case grayInverted
    /// Perceptually uniform dark blue → green → yellow (matplotlib's default, `viridis`).
    case viridis
    /// Blue (negative) → white (zero) → red (positive), for signed data such as weights or
    /// gradients. With no explicit value range the range is made symmetric about zero, so white
    /// always means zero.
    case blueWhiteRed

    /// The gnuplot command that installs this palette.
    var gnuplotCommand: String {
        switch self {
        case .gray:
            return "set palette defined (0 '#000000', 1 '#ffffff')"
        case .grayInverted:
            return "set palette defined (0 '#ffffff', 1 '#000000')"
        case .viridis:
            return "set palette defined (0 '#440154', 1 '#472c7a', 2 '#3b518b', 3 '#2c718e', 4 '#21908d', "
                + "5 '#27ad81', 6 '#5cc863', 7 '#aadc32', 8 '#fde725')"
        case .blueWhiteRed:
            return "set palette defined (0 '#2166ac', 1 '#67a9cf', 2 '#f7f7f7', 3 '#ef8a62', 4 '#b2182b')"
        }
    }

    /// Whether an automatic colour range should be symmetric about zero.
    var isDiverging: Bool { self == .blueWhiteRed }
}

/// Distinct colours for discrete classes (digit 0–9) and for the series of a line plot.
public enum ClassColors {
    /// The ten "Tableau 10" colours of matplotlib's `tab10`, distinct for most colour-blind
    /// readers too; class `k` gets `tab10[k % 10]`.
    public static let tab10: [String] = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]

    /// The colour for class or series number `index` (cycling after ten).
    public static func color(_ index: Int) -> String { tab10[((index % tab10.count) + tab10.count) % tab10.count] }
}
