import VAENumerics
import Foundation

/// The file a figure is drawn into: a PNG (the course's committed figures and the book), or a
/// vector figure for a report, SVG or PDF, with the same look.
///
/// Each is one of gnuplot's cairo or SVG terminals (all three are in Debian's `gnuplot-nox`). A
/// figure's size is given in pixels of the PNG; the vector terminals get the same proportions and
/// the same text and line sizes relative to the figure:
///
///     png  pngcairo size W,H font 'Sans,10'                       (10 pt text at about 13 px)
///     svg  svg size W,H font 'Sans,10' fontscale 1.333            (SVG's units are pixels)
///     pdf  pdfcairo size W/96 in, H/96 in fontscale 0.667 linewidth 1.5   (pdfcairo halves both by default)
///
/// `FigureWriter` keeps a drawn file only when it is complete (`isComplete`), as a PNG that ends
/// with its IEND chunk, an SVG that ends with `</svg>`, a PDF that ends with `%%EOF`.
public enum FigureFormat: String, Sendable, CaseIterable, Equatable {
    case png, svg, pdf

    /// The file name extension, without the dot.
    var fileExtension: String { rawValue }

    /// The `set terminal` command for a figure of `width × height` PNG pixels.
    func terminalCommand(width: Int, height: Int) -> String {
        switch self {
        case .png:
            return "set terminal pngcairo size \(width),\(height) noenhanced font 'Sans,10'"
        case .svg:
            return "set terminal svg size \(width),\(height) noenhanced font 'Sans,10' fontscale 1.333 background rgb '#ffffff'"
        case .pdf:
            let inches = { (pixels: Int) in String(format: "%.3fin", Double(pixels) / 96) }
            return "set terminal pdfcairo size \(inches(width)),\(inches(height)) noenhanced font 'Sans,10' fontscale 0.667 linewidth 1.5"
        }
    }

    /// Whether `bytes` are a whole file of this format, not one cut short (a full disk): a PNG
    /// ends with its IEND chunk, an SVG with its closing `</svg>` tag, a PDF with `%%EOF` (each
    /// perhaps followed by white space), and each starts with its signature.
    func isComplete(_ bytes: Data) -> Bool {
        switch self {
        case .png:
            return bytes.count >= 12 && Array(bytes.prefix(8)) == FigureFormat.pngSignature
                && Array(bytes.suffix(8)) == FigureFormat.iendChunkTail
        case .svg:
            return bytes.starts(with: Array("<?xml".utf8)) || bytes.starts(with: Array("<svg".utf8))
                ? FigureFormat.endsWith(bytes, "</svg>") : false
        case .pdf:
            return bytes.starts(with: Array("%PDF-".utf8)) && FigureFormat.endsWith(bytes, "%%EOF")
        }
    }

    /// What a complete file of this format ends with, for error messages.
    var completeEnding: String {
        switch self {
        case .png: "its IEND chunk"
        case .svg: "</svg>"
        case .pdf: "%%EOF"
        }
    }

    /// Whether `bytes` end with `tail`, white space after it allowed.
    private static func endsWith(_ bytes: Data, _ tail: String) -> Bool {
        var end = bytes.endIndex
        while end > bytes.startIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[end - 1]) { end -= 1 }
        let t = Array(tail.utf8)
        return end - bytes.startIndex >= t.count && Array(bytes[(end - t.count)..<end]) == t
    }

    /// The first 8 bytes of every PNG.
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// The last 8 bytes of every complete PNG: the IEND chunk's type and CRC.
    static let iendChunkTail: [UInt8] = [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
}
