import ArgumentParser

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Evaluate a VAE checkpoint (not written yet).")
    func run() throws { throw ValidationError("vae evaluate is not implemented yet") }
}
