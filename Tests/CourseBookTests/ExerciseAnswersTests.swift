import Foundation
import Testing
@testable import CourseBook

/// An exercise asks for its measured answer with a marker line; the page shows what the command
/// printed, folded, in the exercise's list item, or says how to measure it.
struct ExerciseAnswersTests {
    static let output = """

    ## 1. Sampling

    mean 0.001
      figure: ch04-samples.png

    ## 3. Score-function against reparameterised gradients

       S   score var   ratio
       1      48.409    12.1
    true gradient -3.000

    """

    @Test func aMarkerNamesACommandSectionsAndWords() {
        let marker = ExerciseAnswers.marker("   Answer: run `ch04-reparameterization  --sigma 0.1 --figures /tmp/x`, section 3")
        #expect(marker?.command == "ch04-reparameterization --sigma 0.1 --figures /tmp/x")
        #expect(marker?.invocations.map(\.program) == ["ch04-reparameterization"])
        #expect(marker?.invocations.first?.arguments == ["--sigma", "0.1", "--figures", "/tmp/x"])
        #expect(marker?.sections == ["3"])
        // Two commands run in turn, the second only after the first.
        let chain = ExerciseAnswers.marker("Answer: run `vae train --epochs 5 --output runs/x` then `vae evaluate runs/x/checkpoint.safetensors -k 1000`, lines \"nll\"")
        #expect(chain?.commands == ["vae train --epochs 5 --output runs/x", "vae evaluate runs/x/checkpoint.safetensors -k 1000"])
        #expect(chain?.command == "vae train --epochs 5 --output runs/x then vae evaluate runs/x/checkpoint.safetensors -k 1000")
        #expect(chain?.invocations.map(\.arguments) == [["train", "--epochs", "5", "--output", "runs/x"],
                                                        ["evaluate", "runs/x/checkpoint.safetensors", "-k", "1000"]])
        #expect(chain?.lines == ["nll"])
        let both = ExerciseAnswers.marker("Answer: run `ch01-tensors --threads 1`, sections 2 and 4b, lines \"SIMD kernel\", \"OpenBLAS\"")
        #expect(both?.sections == ["2", "4b"])
        #expect(both?.lines == ["SIMD kernel", "OpenBLAS"])
        #expect(ExerciseAnswers.marker("Answer: the ratio falls") == nil)
        #expect(ExerciseAnswers.marker("Run `ch04-reparameterization --mu 2`") == nil)
    }

    @Test func theSectionsAndWordsPickTheLinesShown() {
        #expect(ExerciseAnswers.shown(Self.output, sections: ["3"], words: []) == [
            "## 3. Score-function against reparameterised gradients", "   S   score var   ratio", "   1      48.409    12.1",
            "true gradient -3.000"])
        #expect(ExerciseAnswers.shown(Self.output, words: ["mean", "true gradient"]) == [
            "## 1. Sampling", "mean 0.001", "", "## 3. Score-function against reparameterised gradients", "true gradient -3.000"])
        #expect(ExerciseAnswers.shown(Self.output, words: []).count == Self.output.components(separatedBy: "\n").count - 1,
                "all of it (less the last empty line) when nothing is named")
    }

    @Test func theAnswerIsFoldedWithItsTimeAndMachineOrMeasuringIsExplained() throws {
        let marker = try #require(ExerciseAnswers.marker("Answer: run `ch04-reparameterization --mu 2`, section 3"))
        let answer = ExerciseAnswer(command: marker.command, output: Self.output, seconds: 0.42, machine: "Test CPU (2 cores)",
                                    finished: "2026-12-06T23:00:00Z")
        let html = ExerciseAnswers.html(marker, answer: answer)
        #expect(html.hasPrefix("<details class=\"answer\"><summary>"))
        #expect(html.contains("0.4 s on Test CPU (2 cores), 2026-12-06"))
        #expect(html.contains("48.409") && !html.contains("mean 0.001"))
        let missing = ExerciseAnswers.html(marker, answer: nil)
        #expect(missing.contains("figures --exercises") && !missing.contains("<details"))
    }

    /// The answer stays inside its exercise's list item, so the list keeps its numbering; an
    /// answer saved for another command (the exercise changed since) is not shown.
    @Test func theAnswerStaysInItsExerciseAndAChangedCommandIsNotAnswered() throws {
        let source = """
        // Chapter 9 — A test
        // ==================

        // MARK: Experiments
        //
        // 1. A narrow Gaussian. Run it.
        //    Answer: run `ch09-test --sigma 0.1`, section 3
        // 2. Another. Run that.
        //    Answer: run `ch09-test --mu 7`
        """
        var page = ChapterPage(name: "ch09-test", main: SwiftSource(parsing: source), output: nil)
        page.answers = ["ch09-test --sigma 0.1": ExerciseAnswer(command: "ch09-test --sigma 0.1", output: Self.output, seconds: 1,
                                                                 machine: "M", finished: "2026-12-06T00:00:00Z"),
                        "ch09-test --mu 6": ExerciseAnswer(command: "ch09-test --mu 6", output: "old", seconds: 1,
                                                            machine: "M", finished: "2026-12-06T00:00:00Z")]
        let html = page.html(previous: nil, next: nil)
        let list = try #require(html.range(of: "<ol>").map { String(html[$0.lowerBound...]) })
        #expect(list.components(separatedBy: "<ol>").count == 2, "one list: the answers did not split it")
        #expect(list.contains("A narrow Gaussian. Run it.\n<details class=\"answer\">"))
        #expect(list.contains("48.409"))
        #expect(list.contains("Another. Run that.\n<p class=\"note\">Answer: run <code>ch09-test --mu 7</code>"))
        #expect(!html.contains("old"))
    }

    @Test func theCodeFingerprintSeesCodeAndNotProse() {
        let code = "// The lesson.\nlet x = 1\n\n    print(x)  \n"
        let fingerprint = ExerciseAnswers.codeFingerprint(files: [("ch09/main.swift", code)], numericsVersion: 2)
        #expect(fingerprint.count == 64)
        // Prose, blank lines and indentation change nothing.
        #expect(ExerciseAnswers.codeFingerprint(files: [("ch09/main.swift", "// Another lesson,\n// longer.\nlet x = 1\nprint(x)")],
                                                numericsVersion: 2) == fingerprint)
        // Code, a file's name, another file, and the numerics do.
        #expect(ExerciseAnswers.codeFingerprint(files: [("ch09/main.swift", "let x = 2\nprint(x)")], numericsVersion: 2) != fingerprint)
        #expect(ExerciseAnswers.codeFingerprint(files: [("ch09/other.swift", code)], numericsVersion: 2) != fingerprint)
        #expect(ExerciseAnswers.codeFingerprint(files: [("ch09/main.swift", code), ("ch09/Runs.swift", "let y = 0")], numericsVersion: 2) != fingerprint)
        #expect(ExerciseAnswers.codeFingerprint(files: [("ch09/main.swift", code)], numericsVersion: 3) != fingerprint)
        // The order the files are listed in does not matter.
        #expect(ExerciseAnswers.codeFingerprint(files: [("b.swift", "let b = 1"), ("a.swift", "let a = 1")], numericsVersion: 2)
                == ExerciseAnswers.codeFingerprint(files: [("a.swift", "let a = 1"), ("b.swift", "let b = 1")], numericsVersion: 2))
    }

    @Test func answersRoundTripThroughTheirFile() throws {
        let answers = [ExerciseAnswer(command: "ch04-reparameterization --mu 2", output: "a\nb", seconds: 0.5, machine: "M",
                                      finished: "2026-12-06T00:00:00Z"),
                       ExerciseAnswer(command: "ch04-reparameterization --mu 6", output: "c", seconds: 0.5, machine: "M",
                                      finished: "2026-12-06T00:00:00Z", code: String(repeating: "a", count: 64))]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("answers-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try ExerciseAnswers.text(answers).write(to: url)
        #expect(try ExerciseAnswers.read(from: url) == answers)
        try Data("{}".utf8).write(to: url)
        #expect(throws: BookError.self) { try ExerciseAnswers.read(from: url) }
        #expect(try ExerciseAnswers.read(from: url.appendingPathExtension("absent")) == [])
    }
}
