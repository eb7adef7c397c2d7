/// The settings of each trainable strategy, from which a strategy of any kind is made (what
/// `auto` compares, and what the command line describes).
public struct StrategySettings: Sendable {
    /// The classifier of fixed features.
    public var fixedFeaturesHead: ClassifierHead
    /// The fine-tune settings (`trainable` is set per candidate by the advisor).
    public var fineTuning: FineTuning
    /// The combine settings.
    public var combination: Combination

    /// Settings for every strategy.
    public init(fixedFeaturesHead: ClassifierHead = .logisticRegression(), fineTuning: FineTuning = FineTuning(),
                combination: Combination = Combination()) {
        self.fixedFeaturesHead = fixedFeaturesHead
        self.fineTuning = fineTuning
        self.combination = combination
    }

    /// The strategy of `kind` with these settings.
    /// - Precondition: `kind` is neither `.auto` nor `.usePretrained`.
    public func strategy(_ kind: TransferStrategy.Kind) -> TransferStrategy {
        switch kind {
        case .fixedFeatures: .fixedFeatures
        case .fineTune: .fineTune(fineTuning)
        case .combine: .combine(combination)
        case .fromScratch: .fromScratch
        case .auto, .usePretrained: preconditionFailure("strategy(_:): \(kind.rawValue) has no settings of its own")
        }
    }
}
