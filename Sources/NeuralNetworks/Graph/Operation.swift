import LinearAlgebra

/// One kind of computation of a `Graph` node, with its forward pass and its backward pass (the
/// vector–Jacobian product for each input). Each operation lives in one file under `Operations/`
/// and is registered by `typeName` in `OperationRegistry`, which is how model files and the ONNX
/// importer find it. Operations that exist in ONNX take its name, inputs and attributes.
///
/// Parameters are inputs: a convolution reads its data, its filters and its bias as three
/// inputs, the last two usually graph parameters, so freezing, optimizers and export see them
/// like any other tensor.
public protocol Operation: Sendable {
    /// The name the registry knows it by (the ONNX operator type where there is one).
    static var typeName: String { get }
    /// Whether `backward` is implemented; a graph with a node that lacks it cannot train through it.
    static var isDifferentiable: Bool { get }

    /// The operation from stored or imported attributes.
    /// - Throws: `OperationError` naming an attribute that is missing or out of range.
    init(attributes: OperationAttributes) throws
    /// What defines it, as `init(attributes:)` reads it back.
    var attributes: OperationAttributes { get }

    /// What its input at `position` is: data, a trained weight or a running statistic.
    func role(ofInput position: Int) -> InputRole
    /// The output shape (batch dimension included) for inputs of `shapes`.
    /// - Throws: `OperationError` when the operation cannot take them.
    func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int]
    /// The element type of the output for inputs of `elementTypes`.
    func outputElementType(for elementTypes: [Tensor.ElementType]) -> Tensor.ElementType
    /// What the forward pass must keep for the backward pass.
    var backwardNeeds: BackwardNeeds { get }
    /// Computes the output from `inputs` (shapes already checked by `outputShape`).
    /// - Throws: `OperationError` for values the shapes cannot rule out (an id outside a table).
    func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor
    /// The gradient of the loss with respect to each input that `pass.needsGradient` asks for
    /// (nil for the others), given the gradient at the output.
    func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?]
}

extension Operation {
    /// Differentiable unless an operation says otherwise.
    public static var isDifferentiable: Bool { true }
    /// Floats unless an operation says otherwise.
    public func outputElementType(for elementTypes: [Tensor.ElementType]) -> Tensor.ElementType { .float32 }
    /// Every input is data unless an operation says otherwise.
    public func role(ofInput position: Int) -> InputRole { .data }
    /// Nothing kept unless an operation says otherwise.
    public var backwardNeeds: BackwardNeeds { [] }
    /// No gradient (the default of operations that do not train).
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        pass.needsGradient.map { _ in nil }
    }
    /// The registered name.
    public var typeName: String { Self.typeName }
}

/// An operation without attributes (an activation, an element-wise sum): made by `init()`,
/// stored with no attributes.
protocol AttributelessOperation: Operation {
    /// The operation.
    init()
}

extension AttributelessOperation {
    /// The operation (it has no attributes).
    public init(attributes: OperationAttributes) { self.init() }
    /// None.
    public var attributes: OperationAttributes { [:] }
}

/// What one input of an operation is.
public enum InputRole: Sendable, Hashable {
    /// Computed per example (or a constant operand).
    case data
    /// A parameter that training updates (filters, biases, scales).
    case weight
    /// A statistic the training pass moves (batch normalisation's running mean and variance).
    case statistic
}

/// What a forward pass keeps for the backward pass of one node.
public struct BackwardNeeds: OptionSet, Sendable, Hashable {
    /// The raw value.
    public let rawValue: Int
    /// A set from its raw value.
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// The input tensors.
    public static let inputs = BackwardNeeds(rawValue: 1)
    /// The output tensor.
    public static let output = BackwardNeeds(rawValue: 2)
}

/// The state of one node's forward pass: how it runs, and what it leaves for its backward pass.
public struct ForwardContext {
    /// How a node computes.
    public enum Mode: Sendable, Hashable {
        /// Prediction: batch normalisation by its running statistics, no dropout.
        case inference
        /// Training: batch statistics (moving the running ones), dropout drawn from the generator.
        case training
    }

    /// How this node computes.
    public let mode: Mode
    /// The threads it may use.
    public let parallelism: Parallelism
    /// Draws dropout masks (seeded per node and step by the graph).
    public var generator: SplitMix64
    /// Tensors the backward pass needs beyond the inputs and output (batch statistics, masks).
    public private(set) var saved: [Tensor] = []
    /// New values of `.statistic` inputs, by input position.
    public private(set) var statisticUpdates: [(position: Int, value: Tensor)] = []

    /// A context for one node's pass.
    public init(mode: Mode, parallelism: Parallelism, generator: SplitMix64) {
        self.mode = mode
        self.parallelism = parallelism
        self.generator = generator
    }

    /// Keeps `tensor` for the backward pass (`SavedPass.saved`, in order).
    public mutating func save(_ tensor: Tensor) { saved.append(tensor) }

    /// Replaces the `.statistic` input at `position` by `value` after the pass.
    public mutating func updateStatistic(at position: Int, to value: Tensor) {
        statisticUpdates.append((position, value))
    }
}

/// What one node's backward pass reads.
public struct SavedPass: Sendable {
    /// The shapes of the inputs.
    public let inputShapes: [[Int]]
    /// The inputs (nil unless the operation's `backwardNeeds` has `.inputs`).
    public let inputs: [Tensor]?
    /// The output (nil unless the operation's `backwardNeeds` has `.output`).
    public let output: Tensor?
    /// What the forward pass saved.
    public let saved: [Tensor]
    /// For each input, whether its gradient is wanted.
    public let needsGradient: [Bool]
    /// The mode the forward pass ran in.
    public let mode: ForwardContext.Mode
    /// The threads it may use.
    public let parallelism: Parallelism

    /// A record of one forward pass.
    public init(inputShapes: [[Int]], inputs: [Tensor]?, output: Tensor?, saved: [Tensor], needsGradient: [Bool],
                mode: ForwardContext.Mode, parallelism: Parallelism) {
        self.inputShapes = inputShapes
        self.inputs = inputs
        self.output = output
        self.saved = saved
        self.needsGradient = needsGradient
        self.mode = mode
        self.parallelism = parallelism
    }

    /// Input `position`.
    /// - Precondition: the operation kept its inputs.
    public func input(_ position: Int) -> Tensor {
        guard let inputs else { preconditionFailure("SavedPass: the inputs were not kept") }
        return inputs[position]
    }
}

/// Why an operation cannot be built or cannot take its inputs.
public struct OperationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public let message: String

    /// An error saying `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
