import ArgumentParser

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train a VAE on MNIST (not written yet).")
    func run() throws { throw ValidationError("vae train is not implemented yet") }
}
