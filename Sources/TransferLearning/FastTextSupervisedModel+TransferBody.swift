import EmbeddingStore
import LinearAlgebra

extension FastTextSupervisedModel: TransferBody {
    /// `texts`.
    public var inputs: String { "texts" }

    /// Each text's probability of every label, as fastText predicts them (labels it ranks below
    /// the rest at 0).
    public func probabilities(for texts: [String], labels: [String]) throws -> (matrix: Matrix, coverage: Double) {
        let predictor = FastTextPredictor(self)
        var matrix = Matrix(rows: texts.count, columns: labels.count)
        for (row, text) in texts.enumerated() {
            for prediction in predictor.predict(text, k: labels.count, threshold: 0) {
                if let column = labels.firstIndex(of: prediction.label) { matrix[row, column] = prediction.probability }
            }
        }
        return (matrix, 1)
    }

    /// fastText's own top k, as `fasttext predict` ranks them.
    public func predictions(for texts: [String], labels: [String], k: Int, threshold: Float) throws
        -> (predictions: [[Prediction]], coverage: Double) {
        let predictor = FastTextPredictor(self)
        return (texts.map { predictor.predict($0, k: k, threshold: threshold) }, 1)
    }

    public func inferenceGraph(labels: [String]) throws -> InferenceGraph {
        throw TransferError.notExportable("a fastText model (fastText reads its .bin/.ftz file as it is)")
    }

    public func record(into file: inout ModelFileContents, storage: TransferModel.EmbeddingStorage, precision: TensorPrecision) throws {
        throw ModelFileError(path: file.path, message: "a fastText model is used as it is; it has no EmbeddingKit model file")
    }
}
