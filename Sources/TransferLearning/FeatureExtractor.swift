import ImageFeatures
import LinearAlgebra
import TextFeatures

/// The frozen part of the fixed-features strategy: turns inputs of one kind into feature rows of
/// a fixed length, computed once and fed to a new classifier. Texts have `DocumentFeaturizer`,
/// images `ImageNetwork`.
public protocol FeatureExtractor: Sendable {
    /// A batch of what it reads (texts, an image set).
    associatedtype Inputs
    /// The length of a feature row.
    var featureCount: Int { get }
    /// One feature row per input, and the mean share of each input the pre-trained model
    /// covered (for texts: tokens with a vector; 1 where the notion does not apply).
    /// - Throws: when an input cannot be turned into features.
    func extractFeatures(from inputs: Inputs) throws -> (features: Matrix, coverage: Double)
}

extension DocumentFeaturizer: FeatureExtractor {
    /// `featureMatrix(for:)` on all cores.
    public func extractFeatures(from inputs: [String]) throws -> (features: Matrix, coverage: Double) {
        try featureMatrix(for: inputs)
    }
}

extension ImageNetwork: FeatureExtractor {
    /// The pooled output of the feature value for every image (coverage 1).
    public func extractFeatures(from inputs: ImageSet) throws -> (features: Matrix, coverage: Double) {
        guard inputs.shape == inputShape else { throw TransferError.imageShape(inputs.shape, expected: inputShape) }
        return (try features(of: inputs), 1)
    }
}
