import Synchronization

/// Vocabulary vectors of a fastText `.bin`, each the mean of the word's row and its n-gram rows,
/// composed the first time it is used, so opening a model touches none of its matrix.
///
/// `@unchecked Sendable`: a row is written once, under the mutex, before anyone reads it; the
/// buffer's untouched capacity costs address space only.
final class ComposedRows: @unchecked Sendable {
    private let rows: RowBuffer
    /// Each vocabulary entry's word and its row in the model's input matrix.
    private let words: [(word: [UInt8], row: Int)]
    private let subwords: SubwordVectors
    private let composed: Mutex<[Bool]>
    private let everything = Atomic<Bool>(false)

    init(words: [(word: [UInt8], row: Int)], subwords: SubwordVectors) {
        self.words = words
        self.subwords = subwords
        rows = RowBuffer(dimensions: subwords.dimensions, capacity: words.count)
        rows.setCount(words.count)
        composed = Mutex([Bool](repeating: false, count: words.count))
    }

    /// The address of row `index`, composing it first if needed.
    func row(_ index: Int) -> UnsafePointer<Float> {
        if !everything.load(ordering: .acquiring) {
            composed.withLock { done in
                if !done[index] {
                    subwords.vector(ofWord: words[index].word, row: words[index].row, into: rows.row(index))
                    done[index] = true
                }
            }
        }
        return UnsafePointer(rows.row(index))
    }

    /// The first row with every row composed (for scans over the whole table).
    func allRows() -> UnsafePointer<Float> {
        if !everything.load(ordering: .acquiring) {
            composed.withLock { done in
                for index in done.indices where !done[index] {
                    subwords.vector(ofWord: words[index].word, row: words[index].row, into: rows.row(index))
                    done[index] = true
                }
            }
            everything.store(true, ordering: .releasing)
        }
        return UnsafePointer(rows.row(0))
    }
}
