import Foundation

/// An inverse autoregressive flow (Kingma, Salimans, Jozefowicz, Chen, Sutskever and Welling 2016,
/// "Improved Variational Inference with Inverse Autoregressive Flow"): a richer posterior q(z|x)
/// made by pushing the encoder's Gaussian sample through T invertible steps whose Jacobians are
/// triangular, so that the density of the result is still cheap to compute.
///
/// ## The posterior
/// The encoder gives μ, log σ² (as for the plain VAE) and, from the same features, a context
/// h = Linear(features) (C numbers, no activation: the features have one already). Then
///
///     z₀ = μ + σ ⊙ ε,  ε ~ N(0, I)
///     for t = 1…T:  (m, s) = MADE_t(z_{t−1}, h)
///                   σ_t   = sigmoid(s)
///                   z_t   = σ_t ⊙ z_{t−1} + (1 − σ_t) ⊙ m
///
/// Kingma et al.'s numerically stable form: each step is a gated mix of the old code and a shift
/// m, with the gate σ_t in (0, 1) never zero. The scale's bias starts at +2
/// (`scaleBiasOffset` added to PyTorch's default draw), so σ_t starts near sigmoid(2) ≈ 0.88
/// and the flow near the identity: training begins from (nearly) the plain VAE.
///
/// ## Why the density is cheap
/// MADE_t is autoregressive (`MaskedLinear`): in the step's order of the dimensions, m_i and s_i
/// depend only on z_{<i} (and on h). So ∂z_t,i/∂z_{t−1},j = 0 for j after i, the Jacobian is
/// triangular, its diagonal is ∂z_t,i/∂z_{t−1},i = σ_t,i (m_i, s_i do not depend on z_i), and
///
///     log |det ∂z_t/∂z_{t−1}| = Σ_i log σ_t,i.
///
/// By the change of variables, log q(z_T|x) = log q(z₀|x) − Σ_t Σ_i log σ_t,i:
///
///     log q(z_T|x) = Σ_i [−½ ε_i² − ½ log 2π − ½ log σ²_i] − Σ_t Σ_i log σ_t,i.
///
/// Successive steps use opposite orders (even steps 1…D, odd steps D…1), so that what one step
/// cannot let a dimension see, the next can. Each MADE has one hidden layer,
///
///     hidden = ReLU(MaskedLinear(z_{t−1}) + Linear(h)),   m = MaskedLinear(hidden),   s = MaskedLinear(hidden)
///
/// with Germain et al.'s degrees (`AutoregressiveDegrees`): hidden units of degree 1…D−1, output i
/// seeing the hidden units of degree < i.
///
/// ## Backward pass of one step
/// With g = ∂L/∂z_t (N, D) and c = ∂L/∂(Σ_i log σ_t,i), the same for every row (the loss's weight
/// of the log-determinant):
///
///     ∂L/∂m = g ⊙ (1 − σ_t)
///     ∂L/∂s = g ⊙ (z_{t−1} − m) ⊙ σ_t(1 − σ_t) + c·(1 − σ_t)        (σ′ = σ(1 − σ), (log σ)′ = 1 − σ)
///     ∂L/∂hidden = mean.backward(∂L/∂m) + scale.backward(∂L/∂s),  then through the ReLU
///     ∂L/∂z_{t−1} = g ⊙ σ_t + input.backward(∂L/∂hidden)
///     ∂L/∂h      += context.backward(∂L/∂hidden)
///
/// Parameters, PyTorch `state_dict` names under the VAE's `flow.` prefix: `context.weight` (C, F),
/// `context.bias`; per step t `step<t>.input.weight` (H, D) and `.bias`, `step<t>.context.weight`
/// (H, C, no bias), `step<t>.mean.weight` (D, H) and `.bias`, `step<t>.scale.weight` (D, H) and
/// `.bias`.
/// - Complexity: per code, T·(D·H + C·H + 2·H·D) multiply-adds forward; per image F·C for h.
public final class InverseAutoregressiveFlow: PosteriorFlow {
    public let configuration: FlowConfiguration
    /// D, the code's size.
    public let latentDimensions: Int
    /// F, the encoder features the context is computed from.
    public let featureCount: Int
    /// h = context(features): (N, F) → (N, C).
    public let context: Linear
    /// The T steps, in order.
    public let steps: [InverseAutoregressiveFlowStep]

    /// What is added to the scale's bias at initialisation, so that σ_t = sigmoid(s) starts near 1.
    static let scaleBiasOffset: Float = 2

    /// A flow for codes of `latentDimensions` and encoder features of `features`, its weights
    /// drawn from `random` (PyTorch's default initialisation) in order: the context layer, then
    /// each step's input, context, mean and scale layers.
    public init(_ configuration: FlowConfiguration, latentDimensions d: Int, features: Int,
                using random: inout RandomSource) throws {
        try configuration.validate()
        self.configuration = configuration
        latentDimensions = d
        featureCount = features
        context = try Linear(inputFeatures: features, outputFeatures: configuration.contextFeatures, using: &random)
        for p in context.parameters { p.name = "flow.context." + p.name }
        var steps: [InverseAutoregressiveFlowStep] = []
        for t in 0..<configuration.steps {
            let step = try InverseAutoregressiveFlowStep(latentDimensions: d, hiddenUnits: configuration.hiddenUnits,
                                                         contextFeatures: configuration.contextFeatures,
                                                         reversed: t % 2 == 1, using: &random)
            for (name, layer) in [("input", step.input.parameters), ("context", step.context.parameters),
                                  ("mean", step.mean.parameters), ("scale", step.scale.parameters)] {
                for p in layer { p.name = "flow.step\(t).\(name)." + p.name }
            }
            steps.append(step)
        }
        self.steps = steps
    }

    /// Every trained tensor, in state_dict order.
    public var parameters: [Parameter] { context.parameters + steps.flatMap(\.parameters) }

    /// Multiply-adds of one image's pass with one code: the context layer and every step's layers.
    public var multiplyAdds: Int {
        let (d, h, c) = (latentDimensions, configuration.hiddenUnits, configuration.contextFeatures)
        return featureCount * c + configuration.steps * (d * h + c * h + 2 * h * d)
    }

    /// h = Linear(features): (N, F) → (N, C). Caches the features for `contextBackward`.
    func contextVectors(_ features: Tensor) -> Tensor { context.forward(features) }

    /// ∂L/∂features (N, F) from ∂L/∂h (N, C); accumulates the context layer's gradients.
    func contextBackward(_ dh: Tensor) -> Tensor { context.backward(dh) }

    /// z_T (N, D) from z₀ (N, D) and the context h (N, C) of each row, and Σ_t Σ_i log σ_t,i of
    /// each row (in Double), log |det ∂z_T/∂z₀|. Every step caches what its backward pass needs.
    public func forward(_ z0: Tensor, context h: Tensor) -> (z: Tensor, logDeterminants: [Double]) {
        precondition(z0.rank == 2 && z0.shape[1] == latentDimensions && h.shape == [z0.shape[0], configuration.contextFeatures],
                     "InverseAutoregressiveFlow: codes \(z0.shape) and context \(h.shape) do not fit D = \(latentDimensions), C = \(configuration.contextFeatures)")
        var logDeterminants = [Double](repeating: 0, count: z0.shape[0])
        var z = z0
        for step in steps { z = step.forward(z, context: h, logDeterminants: &logDeterminants) }
        return (z, logDeterminants)
    }

    /// ∂L/∂z₀ (N, D) and ∂L/∂h (N, C) from ∂L/∂z_T (N, D) and c_n = ∂L/∂(log-determinant of row
    /// n) for each row (the ELBO's KL̂ weighs every row alike; the importance-weighted bound each
    /// code by its normalised weight); accumulates every step's parameter gradients (not the
    /// context layer's: see `contextBackward`). Call after `forward`.
    public func backward(_ dz: Tensor, logDeterminantGradients c: [Float]) -> (z0: Tensor, context: Tensor) {
        precondition(dz.rank == 2 && c.count == dz.shape[0],
                     "InverseAutoregressiveFlow.backward: \(c.count) log-determinant gradients for \(dz.shape[0]) rows")
        var g = dz
        var dh = Tensor(shape: [dz.shape[0], configuration.contextFeatures])
        for step in steps.reversed() { g = step.backward(g, logDeterminantGradients: c, contextGradient: &dh) }
        return (g, dh)
    }
}

/// One IAF step (see `InverseAutoregressiveFlow`): a MADE giving (m, s) from (z, h), and the
/// gated update z′ = σ ⊙ z + (1 − σ) ⊙ m with σ = sigmoid(s).
public final class InverseAutoregressiveFlowStep {
    /// z → hidden, (H, D), masked with degree(hidden) ≥ degree(input).
    public let input: MaskedLinear
    /// h → hidden, (H, C), no bias (the input layer has one).
    public let context: Linear
    /// hidden → m, (D, H), masked with degree(output) > degree(hidden).
    public let mean: MaskedLinear
    /// hidden → s, (D, H), masked as `mean`; its bias starts `scaleBiasOffset` above PyTorch's draw.
    public let scale: MaskedLinear
    /// Whether this step orders the dimensions D…1 rather than 1…D.
    public let reversed: Bool
    private let activation = ReLU()

    /// z_{t−1}, m and σ of the last forward pass, (N, D) each.
    private var cache: (z: Tensor, m: Tensor, sigma: Tensor)?

    init(latentDimensions d: Int, hiddenUnits h: Int, contextFeatures c: Int, reversed: Bool,
         using random: inout RandomSource) throws {
        self.reversed = reversed
        let inputDegrees = AutoregressiveDegrees.inputs(d, reversed: reversed)
        let hiddenDegrees = AutoregressiveDegrees.hidden(h, inputs: d)
        input = try MaskedLinear(inputDegrees: inputDegrees, outputDegrees: hiddenDegrees, strict: false, using: &random)
        context = try Linear(inputFeatures: c, outputFeatures: h, bias: false, using: &random)
        mean = try MaskedLinear(inputDegrees: hiddenDegrees, outputDegrees: inputDegrees, strict: true, using: &random)
        scale = try MaskedLinear(inputDegrees: hiddenDegrees, outputDegrees: inputDegrees, strict: true, using: &random)
        if let bias = scale.bias { bias.value = bias.value + InverseAutoregressiveFlow.scaleBiasOffset }
    }

    public var parameters: [Parameter] { input.parameters + context.parameters + mean.parameters + scale.parameters }

    /// z_t (N, D) from z_{t−1} (N, D) and h (N, C); adds Σ_i log σ_i of each row to `logDeterminants`.
    func forward(_ z: Tensor, context h: Tensor, logDeterminants: inout [Double]) -> Tensor {
        var preactivation = input.forward(z)                                   // (N, H)
        let fromContext = context.forward(h)                                   // (N, H)
        add(fromContext, into: &preactivation)
        let hidden = activation.forward(preactivation)                         // (N, H)
        let m = mean.forward(hidden), s = scale.forward(hidden)                // (N, D) each
        let (n, d) = (z.shape[0], z.shape[1])
        var sigma = Tensor(shape: [n, d]), next = Tensor(shape: [n, d])
        sigma.withUnsafeMutableBufferPointer { sg in
            next.withUnsafeMutableBufferPointer { out in
                z.withUnsafeBufferPointer { pz in
                    m.withUnsafeBufferPointer { pm in
                        s.withUnsafeBufferPointer { ps in
                            for row in 0..<n {
                                var logSum = 0.0
                                for j in 0..<d {
                                    let i = row * d + j
                                    let gate = StableMath.sigmoid(ps[i])
                                    sg[i] = gate
                                    out[i] = gate * pz[i] + (1 - gate) * pm[i]
                                    logSum += Double(-StableMath.softplus(-ps[i]))       // log sigmoid(s)
                                }
                                logDeterminants[row] += logSum
                            }
                        }
                    }
                }
            }
        }
        cache = (z, m, sigma)
        return next
    }

    /// ∂L/∂z_{t−1} (N, D) from ∂L/∂z_t (N, D) and c_n = ∂L/∂(Σ_i log σ_i) of each row n; adds
    /// ∂L/∂h into `contextGradient` (N, C) and accumulates the step's parameter gradients.
    func backward(_ g: Tensor, logDeterminantGradients c: [Float], contextGradient dh: inout Tensor) -> Tensor {
        guard let (z, m, sigma) = cache else { preconditionFailure("InverseAutoregressiveFlowStep.backward called before forward") }
        precondition(g.shape == z.shape, "InverseAutoregressiveFlowStep.backward: gradient \(g.shape) should be \(z.shape)")
        var dm = Tensor(shape: z.shape), ds = Tensor(shape: z.shape), dz = Tensor(shape: z.shape)
        dm.withUnsafeMutableBufferPointer { pdm in
            ds.withUnsafeMutableBufferPointer { pds in
                dz.withUnsafeMutableBufferPointer { pdz in
                    g.withUnsafeBufferPointer { pg in
                        z.withUnsafeBufferPointer { pz in
                            m.withUnsafeBufferPointer { pm in
                                sigma.withUnsafeBufferPointer { sg in
                                    let (n, d) = (z.shape[0], z.shape[1])
                                    for row in 0..<n {
                                        let cRow = c[row]
                                        for i in row * d..<(row + 1) * d {
                                            let gate = sg[i], complement = 1 - gate
                                            pdm[i] = pg[i] * complement
                                            pds[i] = pg[i] * (pz[i] - pm[i]) * (gate * complement) + cRow * complement
                                            pdz[i] = pg[i] * gate
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var dHidden = mean.backward(dm)                                        // (N, H)
        let fromScale = scale.backward(ds)
        add(fromScale, into: &dHidden)
        let dPreactivation = activation.backward(dHidden)                      // (N, H)
        let fromInput = input.backward(dPreactivation)                         // (N, D)
        let fromContext = context.backward(dPreactivation)                     // (N, C)
        add(fromInput, into: &dz)
        add(fromContext, into: &dh)
        return dz
    }
}

/// a += b, elementwise, in place (same shapes).
func add(_ b: Tensor, into a: inout Tensor) {
    precondition(a.shape == b.shape, "add(_:into:): shapes \(b.shape) and \(a.shape) differ")
    a.withUnsafeMutableBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in for i in 0..<pa.count { pa[i] += pb[i] } }
    }
}
