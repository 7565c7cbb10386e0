import Foundation
import VAECore

/// An exercise's answer as the course measured it: the command of the exercise, run by
/// `figures`, and what it printed. The page shows it folded under the exercise, so a student can
/// try first and look after, and the answer is always what the code prints now, never a number
/// typed into the prose.
public struct ExerciseAnswer: Codable, Equatable, Sendable {
    /// The command as the exercise writes it, without `swift run -c release`
    /// (`ch04-reparameterization --sigma 0.1 --figures /tmp/ch04-sigma`).
    public var command: String
    /// What the command printed on standard output.
    public var output: String
    public var seconds: Double
    /// The machine it ran on (`Machine.description`).
    public var machine: String
    /// When it finished (ISO 8601).
    public var finished: String
    /// The fingerprint of the code that printed it (`ExerciseAnswers.codeFingerprint`): while the
    /// code is the same, the answer is kept rather than measured again. Nil in an answer saved
    /// before it was recorded (measured again).
    public var code: String?

    public init(command: String, output: String, seconds: Double, machine: String, finished: String, code: String? = nil) {
        self.command = command
        self.output = output
        self.seconds = seconds
        self.machine = machine
        self.finished = finished
        self.code = code
    }
}

/// The answers of a chapter's exercises: the marker that asks for one, where they are saved, and
/// how a page shows them.
///
/// An exercise asks for its answer with a line of its own in the chapter's prose:
///
///     Answer: run `ch04-reparameterization --sigma 0.1 --figures /tmp/ch04-sigma`, section 3
///     Answer: run `ch01-tensors --threads 1 --figures /tmp/ch01-threads1`, lines "SIMD kernel", "OpenBLAS"
///     Answer: run `vae train … --output runs/x` then `vae evaluate runs/x/checkpoint.safetensors …`, lines "nll"
///
/// `figures` runs the command (the chapter's own release build, or another tool of the package,
/// with those arguments; several commands joined by "then" run in turn, each only if the one
/// before succeeded) and saves what it printed in `FIGURES/book/chNN-topic.answers.json`; the page
/// shows, in place of the marker, the output of the sections named (by the number of their `## `
/// heading) and the lines that contain one of the quoted words (each under its section's
/// heading), or all of it when neither is named, with the time it took and the machine.
///
/// An answer is measured once for the code that prints it: each is saved with the fingerprint of
/// that code (`codeFingerprint`), and `figures` runs a command again only when its answer is
/// missing or the fingerprint has changed. So an exercise that trains a model for minutes costs
/// them once, not in every run of the course, and its answer is never older than the chapter's
/// code. What the fingerprint cannot see: a change in the library that alters what a chapter
/// prints without raising `RunFingerprint.numericsVersion` (a new format of a printed line, say);
/// deleting the chapter's answers file then measures them all again.
public enum ExerciseAnswers {
    /// An answer marker: the commands to run, and the sections and words that pick the lines to show.
    public struct Marker: Equatable, Sendable {
        /// The commands in order, each as written between backticks (spaces collapsed).
        public var commands: [String]
        public var sections: [String] = []
        public var lines: [String] = []

        /// The commands as one line, which names the answer in its file: `a then b`.
        public var command: String { commands.joined(separator: " then ") }

        /// The program each command runs (its first word) and its arguments.
        public var invocations: [(program: String, arguments: [String])] {
            commands.map { command in
                let words = command.split(separator: " ").map(String.init)
                return (words[0], Array(words.dropFirst()))
            }
        }
    }

    /// The marker on `line` (a prose line), nil when it holds none.
    public static func marker(_ line: String) -> Marker? {
        guard let parts = HTML.captures(#"^\s*Answer: run (`[^`]+`(?: then `[^`]+`)*)(.*)$"#, in: line) else { return nil }
        let commands = ExperimentFlags.matches(#"`[^`]+`"#, in: parts[0])
            .map { $0.dropFirst().dropLast().split(separator: " ").joined(separator: " ") }
        guard !commands.isEmpty, !commands.contains(where: \.isEmpty) else { return nil }
        let words = ExperimentFlags.matches(#""[^"]+""#, in: parts[1]).map { String($0.dropFirst().dropLast()) }
        let sections = ExperimentFlags.matches(#"\bsections? \d+[a-z]?(?:(?:, | and )\d+[a-z]?)*"#, in: parts[1])
            .flatMap { $0.split(separator: " ").dropFirst().map { $0.trimmingCharacters(in: .punctuationCharacters) } }
            .filter { $0 != "and" && !$0.isEmpty }
        return Marker(commands: commands, sections: sections, lines: words)
    }

    /// The fingerprint of the code whose output an answer is: the SHA-256 of `numericsVersion`
    /// and of each file's name and code lines (`files`: the Swift files of the chapter and of any
    /// other tool the commands run), with comment lines and blank lines left out, so that a change
    /// of prose keeps every answer and a change of code measures them again.
    public static func codeFingerprint(files: [(name: String, text: String)], numericsVersion: Int) -> String {
        var text = "numerics \(numericsVersion)\n"
        for file in files.sorted(by: { $0.name < $1.name }) {
            text += "== \(file.name)\n"
            for line in file.text.components(separatedBy: "\n") {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.isEmpty || code.hasPrefix("//") { continue }
                text += code + "\n"
            }
        }
        return SHA256.hash(Array(text.utf8)).hex
    }

    /// Every marker of `source`'s prose, in order.
    public static func markers(in source: SwiftSource) -> [Marker] {
        source.regions.flatMap { region in
            region.blocks.flatMap { block -> [Marker] in
                guard case .prose(let lines) = block else { return [] }
                return lines.compactMap(marker)
            }
        }
    }

    /// The file of a chapter's answers, in the book's folder.
    public static func fileName(for chapter: String) -> String { chapter + ".answers.json" }

    /// The answers saved in `url`; none when there is no such file.
    /// - Throws: when the file exists but is not a list of answers.
    public static func read(from url: URL) throws -> [ExerciseAnswer] {
        guard let data = try? Data(contentsOf: url) else { return [] }
        do { return try JSONDecoder().decode([ExerciseAnswer].self, from: data) } catch {
            throw BookError("\(url.lastPathComponent) is not a list of exercise answers: \(error)")
        }
    }

    /// `answers` as the file's text: a JSON list, in the markers' order.
    public static func text(_ answers: [ExerciseAnswer]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(answers) + Data("\n".utf8)
    }

    /// The lines of `output` that `sections` and `words` pick: every line of a section whose
    /// heading (`## 3. …`) has one of those numbers, and each line containing one of the words,
    /// after the heading of its section (once); all of `output` when both are empty.
    static func shown(_ output: String, sections: [String] = [], words: [String]) -> [String] {
        let lines = output.components(separatedBy: "\n").reversed().drop { $0.isEmpty }.reversed()
        guard !words.isEmpty || !sections.isEmpty else { return Array(lines) }
        var shown: [String] = [], heading: String?, inSection = false
        for line in lines {
            if line.hasPrefix("## ") {
                heading = line
                inSection = SectionNumber.of(String(line.dropFirst(3))).map(sections.contains) ?? false
                continue
            }
            guard inSection ? !(line.isEmpty && heading != nil) : words.contains(where: line.contains) else { continue }
            if let pending = heading {
                if let last = shown.last, !last.isEmpty { shown.append("") }
                shown.append(pending)
                heading = nil
            }
            shown.append(line)
        }
        return shown
    }

    /// What a page shows in place of `marker`: the answer folded, or how to measure it.
    static func html(_ marker: Marker, answer: ExerciseAnswer?) -> String {
        let command = marker.commands.map { "<code>" + HTML.escape($0) + "</code>" }.joined(separator: " then ")
        guard let answer else {
            return "<p class=\"note\">Answer: run \(command). <code>swift run -c release figures --exercises</code>"
                + " measures it and shows it here.</p>\n"
        }
        var lines = shown(answer.output, sections: marker.sections, words: marker.lines)
        if lines.isEmpty { lines = ["(it printed no section and no line that the exercise names)"] }
        let when = String(answer.finished.prefix(10))
        return "<details class=\"answer\"><summary>The answer, as the course measured it: \(command)"
            + " (\(ChapterRunRecord.clock(answer.seconds)) on \(HTML.escape(answer.machine)), \(HTML.escape(when)))</summary>\n"
            + "<pre class=\"output\"><code>" + CodeLines.html(lines) + "</code></pre></details>\n"
    }
}
