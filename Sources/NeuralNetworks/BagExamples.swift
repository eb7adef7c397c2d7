/// Examples for a bag network: each a list of row ids (stored back to back) and a class.
public struct BagExamples: Sendable {
    /// The ids of every example, back to back.
    public private(set) var ids: [Int32] = []
    /// Example `i` holds `ids[offsets[i]..<offsets[i + 1]]`.
    public private(set) var offsets: [Int] = [0]
    /// The class of each example.
    public private(set) var labels: [Int] = []
    /// The number of classes.
    public let classCount: Int

    /// No examples yet, of `classCount` classes.
    /// - Precondition: at least two classes.
    public init(classCount: Int) {
        precondition(classCount >= 2, "BagExamples: \(classCount) classes")
        self.classCount = classCount
    }

    /// The number of examples.
    public var count: Int { labels.count }

    /// Adds an example.
    /// - Precondition: `label` is in `0..<classCount`.
    public mutating func append(ids bag: some Sequence<Int32>, label: Int) {
        precondition(label >= 0 && label < classCount, "BagExamples: label \(label) outside 0..<\(classCount)")
        ids.append(contentsOf: bag)
        offsets.append(ids.count)
        labels.append(label)
    }

    /// The ids of example `index`.
    @inline(__always)
    public func withIDs<R>(of index: Int, _ body: (UnsafeBufferPointer<Int32>) -> R) -> R {
        ids.withUnsafeBufferPointer { all in body(UnsafeBufferPointer(rebasing: all[offsets[index]..<offsets[index + 1]])) }
    }
}
