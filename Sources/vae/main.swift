// The VAE's command line: train a model on MNIST, evaluate a checkpoint.
//
//     swift run -c release vae train --epochs 10 --output runs/vae
//     swift run -c release vae evaluate runs/vae/checkpoint.safetensors
//     swift run -c release vae judge                                        # the digit classifier, validated
//     swift run -c release vae score runs/vae/checkpoint.safetensors --in DIR --out DIR
//     swift run -c release vae presets --layers
//     swift run -c release vae explore runs/vae/checkpoint.safetensors     # the explorer, in the browser
import ArgumentParser

struct VAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae",
        abstract: "Train and evaluate the course's convolutional VAE on MNIST, and score images as anomalies.",
        subcommands: [Train.self, Evaluate.self, Samples.self, Judge.self, Score.self, Presets.self, Explore.self]
    )
}

VAECommand.main()
