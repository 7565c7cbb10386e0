import Foundation

/// The flags a chapter's `// MARK: Experiments` block names, and the check that the chapter's
/// executable accepts each one.
public enum ExperimentFlags {
    /// The prose of the region titled `Experiments`, nil when the chapter has none.
    public static func experimentsText(_ source: SwiftSource) -> String? {
        guard let region = source.regions.first(where: { $0.title?.lowercased() == "experiments" }) else { return nil }
        var lines: [String] = []
        for case .prose(let text) in region.blocks { lines += text }
        return lines.joined(separator: "\n")
    }

    /// Every distinct `--flag` in `text`, in order of appearance. A backtick span that runs
    /// another program (`swift run -c release vae train --arch deep`, when `chapter` is not
    /// `vae`) is skipped: its flags are that program's. So is a command of an answer's marker
    /// (`Answer: run \`vae train …\``, `ExerciseAnswers.marker`) whose program, its first word,
    /// is not the chapter.
    public static func flags(in text: String, chapter: String) -> [String] {
        var found: [String] = []
        func add(_ span: String) {
            for flag in matches(#"(?<![\w-])--[a-z][a-z0-9-]*"#, in: span) where !found.contains(flag) {
                found.append(flag)
            }
        }
        // A marker's line becomes the arguments of the chapter's own commands in it, in place.
        let lines = text.components(separatedBy: "\n").map { line in
            guard let marker = ExerciseAnswers.marker(line) else { return line }
            return marker.invocations.filter { $0.program == chapter }.map { $0.arguments.joined(separator: " ") }.joined(separator: " ")
        }
        for (index, span) in lines.joined(separator: "\n").components(separatedBy: "`").enumerated() {
            if index % 2 == 1, let program = program(runBy: span), program != chapter { continue }
            add(span)
        }
        return found
    }

    /// The flags of `flags` that `help` (a program's `--help` text) does not list.
    public static func missing(_ flags: [String], help: String) -> [String] {
        flags.filter { flag in
            let pattern = "(?<![\\w-])" + NSRegularExpression.escapedPattern(for: flag) + "(?![\\w-])"
            return help.range(of: pattern, options: .regularExpression) == nil
        }
    }

    /// The product a `swift run [-c release] NAME ...` command runs, nil for another text.
    static func program(runBy command: String) -> String? {
        HTML.captures(#"swift run(?: +-c +\w+| +--[a-z-]+)* +([A-Za-z0-9_-]+)"#, in: command)?[0]
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range, in: text).map { String(text[$0]) }
        }
    }
}
