import LinearAlgebra

/// Slices of data picked by index tuples (ONNX `GatherND`): the last dimension of the indices
/// holds `k` indices into data's leading dimensions (after `batchDimensions` shared ones), each
/// tuple picking the block of data's remaining dimensions. Exported attention masks are
/// gathered this way. Data may be floats or integers; indices are integers (negative count
/// from the end).
public struct GatherND: Operation {
    /// `GatherND`.
    public static let typeName = "GatherND"
    /// The leading dimensions data and indices share (each batch gathers from its own slab).
    public let batchDimensions: Int

    /// A gather with `batchDimensions` shared leading dimensions.
    public init(batchDimensions: Int = 0) { self.batchDimensions = batchDimensions }

    /// From the attribute `batch_dims` (default 0).
    /// - Throws: `OperationError` for a negative or absurd count.
    public init(attributes: OperationAttributes) throws {
        self.init(batchDimensions: try attributes.integer("batch_dims", default: 0, in: 0...63))
    }

    /// `batch_dims`.
    public var attributes: OperationAttributes { ["batch_dims": .integer(batchDimensions)] }

    /// The indices' shape without its last dimension, then data's dimensions the tuples leave.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 2, elementTypes[1] == .int32 else { throw OperationError("GatherND takes data and integer indices") }
        let (data, indices) = (shapes[0], shapes[1]), batch = batchDimensions
        guard let depth = indices.last, indices.count > batch, data.count > batch, depth >= 1, depth <= data.count - batch else {
            throw OperationError("GatherND indices \(indices) do not fit data \(data) with \(batch) batch dimensions")
        }
        guard Array(data.prefix(batch)) == Array(indices.prefix(batch)) else {
            throw OperationError("GatherND's batch dimensions differ: data \(data), indices \(indices)")
        }
        return Array(indices.dropLast()) + Array(data[(batch + depth)...])
    }

    /// Integers when data is integers, else floats.
    public func outputElementType(for elementTypes: [Tensor.ElementType]) -> Tensor.ElementType { elementTypes.first ?? .float32 }

    /// The indices (for the backward pass).
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// Where each picked block starts in data, and the block's length.
    private func blocks(data: [Int], indices: Tensor) throws -> (starts: [Int], length: Int) {
        let batch = batchDimensions, depth = indices.shape.last!
        let slabs = data.prefix(batch).reduce(1, *), slab = data[batch...].reduce(1, *)
        let length = data[(batch + depth)...].reduce(1, *), tuplesPerSlab = indices.count / max(1, depth) / max(1, slabs)
        let indexed = Array(data[batch..<(batch + depth)])
        var strides = [Int](repeating: length, count: depth)
        for axis in stride(from: depth - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * indexed[axis + 1] }
        var starts: [Int] = []
        starts.reserveCapacity(slabs * tuplesPerSlab)
        try indices.withUnsafeIntegers { values in
            for tuple in 0..<(slabs * tuplesPerSlab) {
                var offset = tuple / max(1, tuplesPerSlab) * slab
                for axis in 0..<depth {
                    let raw = Int(values[tuple * depth + axis]), position = raw < 0 ? raw + indexed[axis] : raw
                    guard (0..<indexed[axis]).contains(position) else { throw OperationError("GatherND index \(raw) is outside 0..<\(indexed[axis])") }
                    offset += position * strides[axis]
                }
                starts.append(offset)
            }
        }
        return (starts, length)
    }

    /// The picked blocks, in the order of the index tuples.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        let (data, indices) = (inputs[0], inputs[1])
        let shape = try outputShape(for: [data.shape, indices.shape], elementTypes: [data.elementType, indices.elementType])
        let (starts, length) = try blocks(data: data.shape, indices: indices)
        if data.elementType == .int32 {
            let values = data.integers
            return Tensor(shape: shape, integers: starts.flatMap { values[$0..<($0 + length)] })
        }
        return Tensor(shape: shape) { output in
            data.withUnsafeBufferPointer { source in
                for (position, start) in starts.enumerated() {
                    (output.baseAddress! + position * length).update(from: source.baseAddress! + start, count: length)
                }
            }
        }
    }

    /// The gradient added back at the picked blocks (a block picked twice gets both).
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        guard pass.needsGradient[0], let (starts, length) = try? blocks(data: pass.inputShapes[0], indices: pass.input(1)) else { return [nil, nil] }
        var gradient = Tensor(zeros: pass.inputShapes[0])
        gradient.withUnsafeMutableBufferPointer { target in
            outputGradient.withUnsafeBufferPointer { source in
                for (position, start) in starts.enumerated() {
                    for offset in 0..<length { target[start + offset] += source[position * length + offset] }
                }
            }
        }
        return [gradient, nil]
    }
}
