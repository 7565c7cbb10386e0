import Foundation
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// A model's training loss as a layer of its parameters, for `checkGradients`: its input is
/// ignored (a dummy), its output is loss − L₀ (L₀ the loss at the starting weights), so that the
/// Float output keeps the digits of the small differences the check divides by 2h. `pass` runs
/// one forward and backward pass (gradients zeroed before it) and returns the loss.
final class ObjectiveLayer: Layer {
    let parameters: [Parameter]
    var isTraining = true
    private let pass: () throws -> Double
    private var offset = 0.0
    private var gradients: [Tensor] = []

    /// The loss of any model whose trained tensors are `parameters`.
    init(parameters: [Parameter], pass: @escaping () throws -> Double) throws {
        self.parameters = parameters
        self.pass = pass
        offset = try loss()
    }

    /// The loss of a VAE.
    convenience init(model: VAE, pass: @escaping () throws -> Double) throws {
        try self.init(parameters: model.parameters, pass: pass)
    }

    private func loss() throws -> Double {
        for p in parameters { p.zeroGradient() }
        let value = try pass()
        gradients = parameters.map(\.gradient)
        return value
    }

    func forward(_ input: Tensor) -> Tensor {
        Tensor(shape: [1], scalars: [Float((try! loss()) - offset)])
    }

    func backward(_ outputGradient: Tensor) -> Tensor {
        let g = outputGradient.scalars[0]
        for (p, gradient) in zip(parameters, gradients) { p.gradient = gradient * g }
        return Tensor(shape: [1])
    }
}
