import VAENumerics
import Foundation

/// How numbers and strings are spelled in a gnuplot script.
///
/// Two things must never break a script: a title with a quote in it, and a number that is not a
/// number. Strings are written single-quoted, where gnuplot interprets nothing except `''` (one
/// quote): inside double quotes it would run `` `backquoted` `` text as a shell command and read
/// `\` escapes. A newline is spliced in as `'line 1'."\n".'line 2'`, a string expression that every
/// title, label and key entry accepts.
enum GnuplotText {
    /// `text` as a gnuplot string expression that evaluates to exactly `text` (control characters
    /// other than newline become spaces).
    static func quoted(_ text: String) -> String {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        return lines.map { line -> String in
            var out = "'"
            for scalar in line.unicodeScalars {
                if scalar == "'" {
                    out += "''"
                } else if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += " "
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            return out + "'"
        }.joined(separator: ".\"\\n\".")
    }

    /// `value` in at most 6 significant digits (`%.6g`): far finer than any plot can show, and about
    /// half the characters of a round-trip `Float`. Integers of magnitude below 10¹⁵ are written
    /// exactly. NaN and ±infinity become `NaN`, which gnuplot reads as a missing point.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "NaN" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.6g", value)
    }

    /// A datablock: `$name << EOD`, one line per row with the row's numbers separated by spaces,
    /// then `EOD`. Numbers never spell `EOD`, so the terminator cannot appear inside.
    static func datablock(_ name: String, comment: String? = nil, rows: Int, columns: Int,
                          value: (_ row: Int, _ column: Int) -> Double) -> String {
        var out = ""
        out.reserveCapacity(rows * columns * 4 + 64)
        if let comment { out += "# \(comment.replacingOccurrences(of: "\n", with: " "))\n" }
        out += "$\(name) << EOD\n"
        for r in 0..<rows {
            for c in 0..<columns {
                if c > 0 { out += " " }
                out += number(value(r, c))
            }
            out += "\n"
        }
        out += "EOD\n"
        return out
    }

    /// A colour as gnuplot wants it: `'#rrggbb'`. Throws unless `hex` is `#` and six hex digits.
    static func color(_ hex: String) throws -> String {
        let digits = hex.dropFirst()
        guard hex.hasPrefix("#"), digits.count == 6, digits.allSatisfy(\.isHexDigit) else {
            throw PlotError.invalidFigure("colour '\(hex)' is not of the form #rrggbb")
        }
        return "'\(hex.lowercased())'"
    }
}
