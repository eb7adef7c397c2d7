/// Examples for a bag network: each a list of row ids (stored back to back) and its classes.
public struct BagExamples: Sendable {
    /// The ids of every example, back to back.
    public private(set) var ids: [Int32] = []
    /// Example `i` holds `ids[offsets[i]..<offsets[i + 1]]`.
    public private(set) var offsets: [Int] = [0]
    /// The class of each example (its first class when it has several).
    public private(set) var labels: [Int] = []
    /// The further classes of examples with several (multi-label data), back to back: example `i`
    /// has `otherLabels[otherOffsets[i]..<otherOffsets[i + 1]]`.
    private var otherLabels: [Int32] = []
    private var otherOffsets: [Int] = [0]
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

    /// Adds an example of one class.
    /// - Precondition: `label` is in `0..<classCount`.
    public mutating func append(ids bag: some Sequence<Int32>, label: Int) {
        append(ids: bag, classes: [label])
    }

    /// Adds an example of one or more distinct classes.
    /// - Precondition: the classes are distinct, in `0..<classCount`, and there is at least one.
    public mutating func append(ids bag: some Sequence<Int32>, classes: [Int]) {
        precondition(!classes.isEmpty && classes.allSatisfy { $0 >= 0 && $0 < classCount } && Set(classes).count == classes.count,
                     "BagExamples: classes \(classes) are not distinct classes of 0..<\(classCount)")
        ids.append(contentsOf: bag)
        offsets.append(ids.count)
        labels.append(classes[0])
        otherLabels.append(contentsOf: classes.dropFirst().map(Int32.init))
        otherOffsets.append(otherLabels.count)
    }

    /// The ids of example `index`.
    @inline(__always)
    public func withIDs<R>(of index: Int, _ body: (UnsafeBufferPointer<Int32>) -> R) -> R {
        ids.withUnsafeBufferPointer { all in body(UnsafeBufferPointer(rebasing: all[offsets[index]..<offsets[index + 1]])) }
    }

    /// The classes of example `index` after its first (`labels[index]`).
    @inline(__always)
    public func withOtherClasses<R>(of index: Int, _ body: (UnsafeBufferPointer<Int32>) -> R) -> R {
        otherLabels.withUnsafeBufferPointer { all in body(UnsafeBufferPointer(rebasing: all[otherOffsets[index]..<otherOffsets[index + 1]])) }
    }

    /// Every class of example `index`.
    public func classes(of index: Int) -> [Int] {
        [labels[index]] + withOtherClasses(of: index) { $0.map(Int.init) }
    }
}
