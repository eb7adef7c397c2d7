/// Which optimizer moves the weights, with PyTorch's meaning of every setting.
public struct OptimizerSettings: Sendable, Hashable, Codable {
    /// The update rule.
    public enum Method: String, Sendable, Hashable, Codable, CaseIterable {
        /// Stochastic gradient descent, with momentum (PyTorch's `SGD`).
        case sgd
        /// Adam (Kingma & Ba 2015), weight decay added to the gradient (PyTorch's `Adam`).
        case adam
        /// Adam with decoupled weight decay (Loshchilov & Hutter 2019, PyTorch's `AdamW`).
        case adamW = "adamw"
    }

    /// The update rule.
    public var method: Method
    /// SGD's momentum (0: none).
    public var momentum: Float = 0.9
    /// Whether SGD's momentum is Nesterov's.
    public var nesterov = false
    /// Adam's decay of the first moment.
    public var beta1: Float = 0.9
    /// Adam's decay of the second moment.
    public var beta2: Float = 0.999
    /// Adam's ε.
    public var epsilon: Float = 1e-8
    /// L2 weight decay of the matrices and filters (never of biases or normalisation scales):
    /// added to the gradient for SGD and Adam, applied to the weights directly for AdamW.
    public var weightDecay: Float = 0

    /// Settings of `method` with its usual defaults (AdamW's weight decay 0.01, as PyTorch's).
    public init(_ method: Method) {
        self.method = method
        if method == .adamW { weightDecay = 0.01 }
    }
}
