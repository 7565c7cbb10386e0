import ArgumentParser
import Foundation
import VAECore

/// `vae presets`: every architecture preset with its size and cost, and its layers with their
/// shapes, so that a description can be checked before anything is trained.
///
///     swift run -c release vae presets                   # the table
///     swift run -c release vae presets --layers deep     # one preset, layer by layer
///     swift run -c release vae presets --arch-file spec.json --layers
struct Presets: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the architecture presets: parameters and MFLOP per image; --layers shows each layer's shapes.")

    @Option(name: .long, parsing: .unconditional, help: "Latent dimensions D the sizes are computed for.")
    var latent = 20

    @Option(help: ArgumentHelp("An architecture JSON file to describe instead of the presets.", valueName: "spec.json"))
    var archFile: String?

    @Flag(help: "Show every layer with its input and output shapes.")
    var layers = false

    @Argument(help: "Presets to show (default: all).")
    var names: [String] = []

    func run() throws {
        var chosen: [(String, Architecture)]
        if let archFile {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: archFile)) } catch {
                throw ValidationError("cannot read \(archFile): \(error.localizedDescription)")
            }
            chosen = [(archFile, try JSONDecoder().decode(Architecture.self, from: data))]
        } else if names.isEmpty {
            chosen = Architecture.presets.map { ($0.name, $0.architecture) }
        } else {
            chosen = try names.map { ($0, try Architecture.preset(named: $0)) }
        }
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
        print(pad("preset", 12) + "  parameters  MFLOP/image (training step)")
        for (name, architecture) in chosen {
            var random = RandomSource(seed: 0)
            let model: VAE
            do { model = try VAE(VAEConfiguration(latentDimensions: latent, architecture: architecture), using: &random) } catch {
                throw ValidationError("\(name): \(error)")
            }
            print(pad(name, 12) + String(format: "  %10ld  %6.1f", model.parameterCount, Double(model.forwardMultiplyAdds) * 6e-6))
            guard layers else { continue }
            for (part, resolved) in [("encoder", model.layout.encoder), ("head", [model.layout.head]), ("decoder", model.layout.decoder)] {
                for layer in resolved {
                    print("    \(part).\(layer.name): \(layer.spec.summary)  \(layer.input) → \(layer.output)")
                }
            }
        }
    }
}
