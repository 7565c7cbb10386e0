import Testing
@testable import CourseBook

/// The flags an Experiments block names, and the check against a chapter's `--help`.
struct ExperimentFlagsTests {
    let source = SwiftSource(parsing: """
    // Chapter 5 — T

    Chapter5.main()

    // MARK: Experiments
    //
    // 1. A small code: `swift run -c release ch05-elbo --latent 2 --quick`.
    // 2. No normalisation: `--no-batchnorm`, then compare with --latent again.
    // 3. Another program's flags are its own: `swift run -c release vae train --arch deep`.
    //    Answer: run `vae train --reuse --output runs/x` then `ch05-elbo --seed 2 --figures /tmp/x`, lines "nll="
    """)

    /// The chapter's flags, each once, in order; another program's are left to it, in prose and
    /// in an answer's marker (whose commands name their program first, without `swift run`).
    @Test func flagsAreExtractedOnceInOrder() throws {
        let text = try #require(ExperimentFlags.experimentsText(source))
        #expect(ExperimentFlags.flags(in: text, chapter: "ch05-elbo") == ["--latent", "--quick", "--no-batchnorm", "--seed", "--figures"])
    }

    @Test func missingFlagsAgainstHelp() {
        let help = """
        OPTIONS:
          --quick                 Smaller settings.
          --latent <latent>       Latent dimensions. (default: 20)
          --no-batchnorm-ish      Not the same flag.
          -h, --help              Show help information.
        """
        #expect(ExperimentFlags.missing(["--latent", "--quick", "--no-batchnorm"], help: help) == ["--no-batchnorm"])
        #expect(ExperimentFlags.missing(["--lat"], help: help) == ["--lat"], "a prefix of a flag is not the flag")
    }

    @Test func noExperimentsBlock() {
        #expect(ExperimentFlags.experimentsText(SwiftSource(parsing: "// Chapter 1\n\nlet x = 1 // --not-a-flag\n")) == nil)
    }

    @Test func programOfACommand() {
        #expect(ExperimentFlags.program(runBy: "swift run -c release ch05-elbo --latent 2") == "ch05-elbo")
        #expect(ExperimentFlags.program(runBy: "swift run vae train") == "vae")
        #expect(ExperimentFlags.program(runBy: "--latent 2") == nil)
    }
}
