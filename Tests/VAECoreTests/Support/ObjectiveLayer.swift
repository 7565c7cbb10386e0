import Foundation
import Testing
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

/// Judges `checkGradients`' result for a whole training loss: every parameter tensor's relative
/// error below 2·10⁻² (a wrong term of a derivation is off by order 1) and their median below
/// 2·10⁻³ (a loss of hundreds of nats in Float moves by about 10⁻⁶ nats from step to step, and a
/// random direction nearly orthogonal to a tensor's gradient can reach a few 10⁻³:
/// `ImportanceWeightedTests.matchesFiniteDifferences` says more). `skipping` names a tensor left
/// out (one whose true gradient is 0); `label` says which case failed.
func expectWholeLossGradients(_ result: GradientCheckResult, of parameters: [Parameter], skipping skipped: String? = nil,
                              _ label: String) {
    let checked = result.parameters.filter { $0.key != skipped }
    #expect(checked.count == parameters.count - (skipped == nil ? 0 : 1), "\(label): every parameter tensor is checked")
    for (name, error) in checked.sorted(by: { $0.key < $1.key }) {
        #expect(error < 2e-2, "\(label): \(name) differs from its finite difference by \(error)")
    }
    let median = checked.values.sorted()[checked.count / 2]
    #expect(median < 2e-3, "\(label): the median error is \(median)")
}
