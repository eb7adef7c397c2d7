import Classifiers
import ImageFeatures
import NeuralNetworks

/// How a pre-trained representation is reused for a new task: the seed's four strategies.
public enum TransferStrategy: Sendable, Hashable, Codable {
    /// The pre-trained model as it is, on its own labels (a supervised fastText model).
    case usePretrained
    /// Features from the frozen embeddings, computed once and fed to a new classifier.
    case fixedFeatures
    /// The pre-trained vectors initialise an embedding-bag network that trains further.
    case fineTune(FineTuning = FineTuning())
    /// A frozen embedding bag and new dense layers on top, trained as one network.
    case combine(Combination = Combination())
    /// No transfer: the same image network from random weights, the baseline the others must beat.
    case fromScratch

    /// The strategy's name, as the command line spells it.
    public var kind: Kind {
        switch self {
        case .usePretrained: .usePretrained
        case .fixedFeatures: .fixedFeatures
        case .fineTune: .fineTune
        case .combine: .combine
        case .fromScratch: .fromScratch
        }
    }

    /// The strategies by name, plus `auto` (chosen by `StrategyAdvisor`).
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// `usePretrained`.
        case usePretrained = "use-pretrained"
        /// `fixedFeatures`.
        case fixedFeatures = "fixed-features"
        /// `fineTune`.
        case fineTune = "fine-tune"
        /// `combine`.
        case combine
        /// `fromScratch` (images).
        case fromScratch = "scratch"
        /// Measured and chosen for the data by `StrategyAdvisor`.
        case auto
    }
}

/// Which parts of an embedding-bag network train.
public enum TrainableParts: String, Sendable, Hashable, Codable, CaseIterable {
    /// The pre-trained rows, the added rows and the dense layers.
    case embeddingsAndHead = "embeddings"
    /// The dense layers (and the added rows, which have nothing pre-trained to keep); every
    /// pre-trained row stays byte-identical.
    case headOnly = "head"
}

/// The settings of the fine-tune strategy.
public struct FineTuning: Sendable, Hashable, Codable {
    /// What trains.
    public var trainable: TrainableParts = .embeddingsAndHead
    /// The longest run of tokens hashed into an n-gram bucket (1: words only).
    public var wordNgrams = 2
    /// Character n-gram lengths hashed into buckets, so unseen words still contribute (nil: none,
    /// as fastText's supervised default).
    public var characterNgrams: ClosedRange<Int>?
    /// Hidden ReLU layers between the bag and the output (empty: a linear head, as fastText).
    public var hiddenLayers: [Int] = []
    /// The optimizer settings.
    public var training = SGDSettings()
    /// Images: which layers of the pre-trained network train (its output layer is always new).
    /// The top two by default: measured on three transfer tasks (Fashion-MNIST 0–4 → 5–9 and back,
    /// digits 0–4 → 5–9) it matched or beat every layer at 0.3 (or 0.1) of the rate at 50 and 200
    /// images per class, in a third of the time.
    public var backboneLayers = BackboneLayers.top(2)

    /// The defaults: embeddings and head train, word bigrams, a linear head, 10 epochs of SGD at
    /// 0.2 with linear decay; for images the top two layers with parameters.
    public init() {}
}

/// The settings of the combine strategy: the pre-trained rows stay frozen; the new parts — rows
/// for task words without a vector, hashed word n-gram rows and the dense head — train together.
public struct Combination: Sendable, Hashable, Codable {
    /// Hidden ReLU layers of the new head.
    public var hiddenLayers = [256]
    /// The longest run of tokens hashed into a new n-gram row (1: words only).
    public var wordNgrams = 2
    /// How the frozen rows are pooled.
    public var pooling: EmbeddingBag.Pooling = .mean
    /// The optimizer settings (token dropout included).
    public var training: SGDSettings

    /// The defaults: word bigrams, one hidden layer of 256 over mean pooling (mean-max measured
    /// 4.7 points worse on Rotten Tomatoes: the frozen rows' large values win every maximum),
    /// token dropout 0.1, 20 epochs of SGD at 0.05 with linear decay.
    public init() {
        training = SGDSettings()
        training.epochs = 20
        training.learningRate = 0.05
        training.tokenDropout = 0.1
    }
}

/// The classifier trained on top of fixed features.
public enum ClassifierHead: Sendable {
    /// Multinomial logistic regression (L-BFGS).
    case logisticRegression(LogisticRegressionSettings = LogisticRegressionSettings())
    /// A ReLU network trained with Adam.
    case multilayerPerceptron(MultilayerPerceptronSettings = MultilayerPerceptronSettings())
}

/// Logistic-regression settings, as `Classifiers` defines them.
public typealias LogisticRegressionSettings = LogisticRegression.Configuration
/// Network settings, as `Classifiers` defines them.
public typealias MultilayerPerceptronSettings = MultilayerPerceptron.Configuration
