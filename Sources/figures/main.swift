// Regenerates every figure of the course: runs each chapter in turn, in teaching order.
//
//     swift build -c release && swift run -c release figures            # the full course
//     swift run -c release figures --quick                              # smaller, for class and CI
//
// Each chapter is its own executable; this command runs the release builds that sit beside it,
// passing on --quick, --data, --figures and --seed, and stops at the first chapter that fails.
import ArgumentParser
import CourseSupport
import Foundation

/// The chapters, in teaching order. Each is a product of the package.
let chapters = [
    "ch01-tensors",
    "ch02-convolution",
    "ch03-backprop",
    "ch04-reparameterization",
    "ch05-elbo",
    "ch06-beta-vae",
    "ch07-cvae",
]

struct Figures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figures",
        abstract: "Regenerate every figure of the course by running each chapter in turn.",
        discussion: "Build the chapters first: swift build -c release. Chapters: \(chapters.joined(separator: ", "))."
    )

    @OptionGroup var options: ChapterOptions

    @Option(name: .long, parsing: .upToNextOption, help: "Run only these chapters (e.g. --only ch01-tensors).")
    var only: [String] = []

    func validate() throws {
        for name in only where !chapters.contains(name) {
            throw ValidationError("unknown chapter '\(name)'; the chapters are \(chapters.joined(separator: ", "))")
        }
    }

    func run() throws {
        let selected = only.isEmpty ? chapters : chapters.filter(only.contains)
        let binDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        var arguments = ["--figures", options.figures, "--seed", String(options.seed)]
        if options.quick { arguments.append("--quick") }
        if let data = options.data { arguments += ["--data", data] }

        // Chapter 2 draws the filters of the VAE that chapter 5 trains: when both run, chapter 2
        // runs once more at the end, so its trained-filter figure comes from this run's model.
        var runs = selected
        if selected.contains("ch02-convolution") && selected.contains("ch05-elbo") { runs.append("ch02-convolution") }

        for (index, name) in runs.enumerated() {
            let executable = binDirectory.appendingPathComponent(name)
            guard FileManager.default.isExecutableFile(atPath: executable.path) else {
                throw ValidationError("\(name) is not built in \(binDirectory.path): run `swift build -c release` first")
            }
            FileHandle.standardError.write(Data("\n=== [\(index + 1)/\(runs.count)] \(name) \(arguments.joined(separator: " "))\n".utf8))
            let start = Date()
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw ValidationError("\(name) failed with exit status \(process.terminationStatus)")
            }
            FileHandle.standardError.write(Data(String(format: "=== %@ done in %.1f s\n", name, Date().timeIntervalSince(start)).utf8))
        }
        print("figures written to \(options.figures)")
    }
}

Figures.main()
