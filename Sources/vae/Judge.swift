import ArgumentParser
import CourseSupport
import Foundation
import VAECore

/// `vae judge`: the digit classifier that judges samples, validated on the kind of image it
/// grades: its accuracy on all 10,000 test digits, clean and blurred, averaged within a class,
/// binarized, faded and shifted (`JudgeValidation`). Loads the judge, or trains it (minutes)
/// when the file is missing or was trained with other settings.
///
///     swift run -c release vae judge
///     swift run -c release vae judge --classifier /tmp/judge/classifier.safetensors --settings shifts-only
///
/// Ends with one line per degradation for scripts: `judge degradation=blur-1.0 accuracy=0.9871 count=10000`.
struct Judge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate the digit classifier on test digits degraded like generated ones (blur, class averages, contrast, …).")

    @Option(help: ArgumentHelp("The digit classifier checkpoint; trained and saved there if missing or of other settings.",
                               discussion: "Defaults to runs/classifier/classifier.safetensors in the package.",
                               valueName: "path"))
    var classifier: String?

    @Option(help: ArgumentHelp("Folder of MNIST IDX files (defaults to the bundled copy).", valueName: "dir"))
    var data: String?

    @Option(parsing: .unconditional, help: "Seed of the degradations' random choices (averaged digits, shifts).")
    var seed: UInt64 = 1

    enum Settings: String, ExpressibleByArgument, CaseIterable {
        case standard
        case shiftsOnly = "shifts-only"
        var training: DigitClassifierTraining { self == .standard ? .standard : .shiftsOnly }
    }

    @Option(help: ArgumentHelp("The judge's training settings: standard (the course's judge) or shifts-only (random shifts, no other augmentation).",
                               valueName: "settings"))
    var settings: Settings = .standard

    func run() throws {
        let dataDirectory = data.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? MNIST.bundledDirectory
        let url = classifier.map { URL(fileURLWithPath: $0) } ?? Samples.defaultClassifier
        let judge = try DigitClassifier.loadOrTrain(at: url, data: dataDirectory, training: settings.training, log: log)
        let test = try MNIST.load(split: .test, from: dataDirectory)
        let watch = Stopwatch()
        let validation = try judge.validation(on: test, seed: seed)
        log(String(format: "validated on %d degradations of the %d test digits in %.1f s", validation.rows.count, test.count,
                   watch.elapsedSeconds))
        if let report = judge.report {
            print(String(format: "judge %@: trained in %.0f s, %d updates", url.path, report.trainingSeconds, report.steps))
        }
        print(validation.table)
        print(validation.machineReadable)
    }
}
