import Foundation
import LinearAlgebra
import NeuralNetworks
import Testing

/// One case of `Fixtures/operation_goldens.json` (PyTorch autograd, `make_operation_goldens.py`).
struct OperationGolden: Decodable, CustomTestStringConvertible, Sendable {
    struct Values: Decodable, Sendable {
        let shape: [Int]
        let values: [Float]
        let role: String?
    }

    let name: String, operation: String, mode: String
    let attributes: OperationAttributes
    let inputs: [Values]
    let output: Values
    let upstream: [Float]
    let gradients: [[Float]?]
    let statistics: [String: [Float]]?

    var testDescription: String { name }

    static let all: [OperationGolden] = {
        let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("operation_goldens.json")
        struct File: Decodable { let cases: [OperationGolden] }
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }()

    /// A graph of the one operation, every input a parameter (weights train, so their gradients come back).
    func graph() throws -> Graph {
        let parameters = inputs.enumerated().map { index, input in
            input.role == "indices"
                ? Graph.Parameter(name: "input\(index)", value: Tensor(shape: input.shape, integers: input.values.map { Int32($0) }), kind: .constant)
                : Graph.Parameter(name: "input\(index)", value: Tensor(shape: input.shape, elements: input.values),
                                  kind: input.role == "statistic" ? .statistic : .weight)
        }
        let node = Graph.Node(try OperationRegistry.operation(named: operation, attributes: attributes),
                              inputs: parameters.indices.map { .parameter($0) }, name: name)
        return try Graph(inputs: [], parameters: parameters, nodes: [node], outputs: [.node(0)])
    }
}

@Suite("Every operation's forward and backward pass agree with PyTorch autograd")
struct OperationGradientTests {
    @Test("forward output, input and parameter gradients, and running statistics within 1e-4", arguments: OperationGolden.all)
    func agreesWithPyTorch(_ golden: OperationGolden) throws {
        let graph = try golden.graph()
        let scope = TrainingScope(firstNode: 0, batchNormalization: golden.mode == "inference" ? .frozen : .train)
        let pass = try graph.trainingPass([], scope: scope, seed: 1)
        #expect(pass.outputs[0].shape == golden.output.shape)
        #expect(matches(pass.outputs[0].scalars, golden.output.values), "output")
        let gradients = graph.backward(pass, outputGradients: [Tensor(shape: golden.output.shape, elements: golden.upstream)])
        for (index, expected) in golden.gradients.enumerated() {
            guard let expected else { continue }
            #expect(matches(gradients[index]?.scalars ?? [], expected), "gradient of input \(index + 1)")
        }
        for (key, expected) in golden.statistics ?? [:] {
            #expect(matches(pass.statisticUpdates[Int(key)!]?.scalars ?? [], expected), "running statistic \(key)")
        }
        if golden.mode == "inference" || golden.operation != "BatchNormalization" {
            #expect(matches(try graph.run([])[0].scalars, golden.output.values), "inference output")
        }
    }

    @Test("every registered operation's attributes read back to the same operation")
    func attributesRoundTrip() throws {
        for golden in OperationGolden.all {
            let operation = try OperationRegistry.operation(named: golden.operation, attributes: golden.attributes)
            let again = try OperationRegistry.operation(named: golden.operation, attributes: operation.attributes)
            #expect(again.attributes == operation.attributes, "\(golden.name)")
        }
    }
}

/// One network of `Fixtures/operation_goldens.json`: a node list PyTorch ran, with its gradients.
struct NetworkGolden: Decodable, CustomTestStringConvertible, Sendable {
    struct Values: Decodable, Sendable {
        let shape: [Int]
        let values: [Float]
    }

    struct Parameter: Decodable, Sendable {
        let name: String, shape: [Int], values: [Float], kind: String
    }

    struct Node: Decodable, Sendable {
        let operation: String
        let attributes: OperationAttributes
        let inputs: [String]
    }

    let name: String
    let input: Values
    let parameters: [Parameter]
    let nodes: [Node]
    let output: Values
    let upstream: [Float]
    let input_gradient: [Float]
    let parameter_gradients: [String: [Float]]

    var testDescription: String { name }

    static let all: [NetworkGolden] = {
        let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("operation_goldens.json")
        struct File: Decodable { let networks: [NetworkGolden] }
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).networks
    }()

    /// The graph: the input is a weight parameter named `input` (so its gradient comes back), the nodes as listed.
    func graph() throws -> Graph {
        var parameters = [Graph.Parameter(name: "input", value: Tensor(shape: input.shape, elements: input.values), kind: .weight)]
        parameters += self.parameters.map {
            Graph.Parameter(name: $0.name, value: Tensor(shape: $0.shape, elements: $0.values), kind: $0.kind == "statistic" ? .statistic : .weight)
        }
        let index = Dictionary(uniqueKeysWithValues: parameters.enumerated().map { ($1.name, $0) })
        let built = try nodes.map { node in
            Graph.Node(try OperationRegistry.operation(named: node.operation, attributes: node.attributes), inputs: node.inputs.map { reference in
                if reference == "input" { return .parameter(0) }
                if reference.hasPrefix("p:") { return .parameter(index[String(reference.dropFirst(2))]!) }
                return .node(Int(reference.dropFirst(2))!)
            })
        }
        return try Graph(inputs: [], parameters: parameters, nodes: built, outputs: [.node(built.count - 1)])
    }
}

@Suite("Whole graphs train as PyTorch computes them")
struct GraphGradientTests {
    @Test("output, input gradient and every parameter gradient of a graph within 1e-4", arguments: NetworkGolden.all)
    func agreesWithPyTorch(_ golden: NetworkGolden) throws {
        let graph = try golden.graph()
        for threads in [1, 2] {
            let pass = try graph.trainingPass([], scope: TrainingScope(), seed: 1, parallelism: Parallelism(threadCount: threads))
            #expect(matches(pass.outputs[0].scalars, golden.output.values), "output, \(threads) thread(s)")
            let gradients = graph.backward(pass, outputGradients: [Tensor(shape: golden.output.shape, elements: golden.upstream)])
            #expect(matches(gradients[0]?.scalars ?? [], golden.input_gradient), "input gradient, \(threads) thread(s)")
            for (name, expected) in golden.parameter_gradients {
                #expect(matches(gradients[graph.parameterIndex(named: name)!]?.scalars ?? [], expected), "\(name), \(threads) thread(s)")
            }
        }
    }

    @Test("a scope from a later node trains only the weights of the nodes from it on")
    func scopeLeavesEarlierWeightsOut() throws {
        let graph = try NetworkGolden.all[0].graph()
        let scope = TrainingScope(firstNode: 4)
        let pass = try graph.trainingPass([], scope: scope, seed: 1)
        let gradients = graph.backward(pass, outputGradients: [Tensor(repeating: 1, shape: pass.outputs[0].shape)])
        let trained = Set(gradients.keys.map { graph.parameters[$0].name })
        #expect(trained == ["c2.weight", "c2.bias", "d.weight", "d.bias"])
        #expect(pass.statisticUpdates.isEmpty, "batch normalisation before the scope ran in inference mode")
        // The top layers' gradients do not depend on whether the frozen part was kept for backward.
        let top = try TrainingScope(.top(2), in: graph)
        #expect(top.firstNode == 4)
        #expect(throws: GraphError.self) { _ = try TrainingScope(.top(4), in: graph) }
        #expect(throws: GraphError.self) { _ = try TrainingScope(.from("no such node"), in: graph) }
    }

    @Test("prediction computes x · Sigmoid(x) as one SiLU node, with the same values (either operand order)")
    func siluIsFusedForInference() throws {
        let values = stride(from: -9 as Float, through: 9, by: 0.25).map { $0 }
        for swapped in [false, true] {
            let graph = try Graph(inputs: [Graph.Input(name: "x", shape: [nil, values.count])], parameters: [], nodes: [
                Graph.Node(Sigmoid(), inputs: [.input(0)]),
                Graph.Node(Mul(), inputs: swapped ? [.node(0), .input(0)] : [.input(0), .node(0)]),
            ], outputs: [.node(1)])
            let fused = graph.optimizedForInference()
            #expect(fused.nodes[1].operation is SiLU)
            let input = Tensor(shape: [1, values.count], elements: values)
            #expect(matches(try fused.run([input])[0].scalars, try graph.run([input])[0].scalars))
        }
    }
}
