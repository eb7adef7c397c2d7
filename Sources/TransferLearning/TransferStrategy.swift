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
    /// Text: a corpus smaller than this rule's size trains by its optimizer instead (nil: never;
    /// files written before the rule existed read as nil).
    public var smallCorpus: SmallCorpusRule? = SmallCorpusRule()
    /// Images: which layers of the pre-trained network train (its output layer is always new).
    /// The top two by default: measured on three transfer tasks (Fashion-MNIST 0–4 → 5–9 and back,
    /// digits 0–4 → 5–9) it matched or beat every layer at 0.3 (or 0.1) of the rate at 50 and 200
    /// images per class, in a third of the time.
    public var backboneLayers = BackboneLayers.top(2)
    /// Sentence encoders: which transformer layers train under the new output layer — all (the
    /// default: as PyTorch fine-tunes BERT, the pre-trained weights at 0.03 of the head's rate,
    /// 3e-5 against 1e-3), the top N (at that same 0.03), or from a named node on.
    public var encoderLayers = BackboneLayers.all(baseRateFactor: FineTuning.encoderRateFactor)
    /// The share of the learning rate pre-trained transformer layers train at by default.
    public static let encoderRateFactor: Float = 0.03
    /// Images: how batch normalisation behaves in the layers that train.
    public var batchNormalization = BatchNormalizationMode.train
    /// Images: epochs of training the new output layer alone on the frozen network before the
    /// chosen layers train (LP-FT, Kumar et al. 2022; 0: none).
    public var linearProbeEpochs = 0
    /// Images and sentence encoders: each pre-trained layer's rate is this factor times the rate of
    /// the layer above it (layer-wise learning-rate decay; nil: one factor for all). An encoder's
    /// layers are its transformer layers, the embeddings one below the first.
    public var layerRateDecay: Float?

    /// The defaults: embeddings and head train, word bigrams, a linear head, 10 epochs of SGD at
    /// 0.2 with linear decay (lazy Adam at 0.01 below 3,000 documents); for images the top two
    /// layers with parameters, batch normalisation training.
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case trainable, wordNgrams, characterNgrams, hiddenLayers, training, smallCorpus, backboneLayers, encoderLayers, batchNormalization,
             linearProbeEpochs, layerRateDecay
    }

    /// Reads settings; the image settings added later default when a file predates them.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        trainable = try values.decode(TrainableParts.self, forKey: .trainable)
        wordNgrams = try values.decode(Int.self, forKey: .wordNgrams)
        characterNgrams = try values.decodeIfPresent(ClosedRange<Int>.self, forKey: .characterNgrams)
        hiddenLayers = try values.decode([Int].self, forKey: .hiddenLayers)
        training = try values.decode(SGDSettings.self, forKey: .training)
        smallCorpus = try values.decodeIfPresent(SmallCorpusRule.self, forKey: .smallCorpus)
        backboneLayers = try values.decode(BackboneLayers.self, forKey: .backboneLayers)
        encoderLayers = try values.decodeIfPresent(BackboneLayers.self, forKey: .encoderLayers) ?? .all(baseRateFactor: Self.encoderRateFactor)
        batchNormalization = try values.decodeIfPresent(BatchNormalizationMode.self, forKey: .batchNormalization) ?? .train
        linearProbeEpochs = try values.decodeIfPresent(Int.self, forKey: .linearProbeEpochs) ?? 0
        layerRateDecay = try values.decodeIfPresent(Float.self, forKey: .layerRateDecay)
    }
}

/// Which layers of a pre-trained image network fine-tuning trains.
public enum BackboneLayers: Sendable, Hashable, Codable {
    /// Every layer; the pre-trained ones at this factor of the learning rate.
    case all(baseRateFactor: Float)
    /// Only the top `n` layers with weights (convolutions and dense layers, each with its batch
    /// normalisation), counting the new output layer, all at the full rate; the rest stay frozen.
    case top(Int)
    /// The named node (as `embkit info --layers` lists them) and everything after it; the pre-trained
    /// layers among them at this factor of the learning rate.
    case from(layer: String, baseRateFactor: Float)
}

/// Small text corpora fine-tune better by lazy Adam than by SGD: measured (test accuracy, mean of
/// seeds, full GloVe 6B 50d) on 591 debate statements 0.70 → 0.81, 600 convention sentences
/// 0.60 → 0.62, 600 Rotten Tomatoes reviews 0.68 → 0.69, 2,000 convention sentences 0.66 → 0.67;
/// at 2,000 reviews they tie, and on the full 6,114 sentences and 11,112 reviews SGD is ahead by
/// 0.2–0.3 points and twice as fast. Few documents mean few updates, and SGD's decaying rate
/// from an all-zero output layer does not get far in them.
public struct SmallCorpusRule: Sendable, Hashable, Codable {
    /// Corpora of fewer training documents than this follow the rule.
    public var documents = 3_000
    /// Their optimizer (at its default learning rate, scaled as `SGDSettings.use(_:)` scales it).
    public var optimizer = BagOptimizer.adam

    /// Lazy Adam below 3,000 documents.
    public init() {}
}

extension TransferStrategy {
    /// The strategy with a fine-tune small-corpus rule applied for `documents` training
    /// documents (and removed, so that the stored strategy says what trained).
    func applyingSmallCorpusRule(documents: Int) -> TransferStrategy {
        guard case .fineTune(var settings) = self, let rule = settings.smallCorpus else { return self }
        if documents < rule.documents { settings.training.use(rule.optimizer) }
        settings.smallCorpus = nil
        return .fineTune(settings)
    }
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
    /// token dropout 0.1, 20 epochs of lazy Adam at 0.0025 with linear decay. Adam replaced SGD
    /// at 0.05 (tuned on Rotten Tomatoes, where it stays 1 point of macro-F1 ahead) because it
    /// measured far better on corpora the defaults were not tuned on: convention sentences 0.63 →
    /// 0.67, 591 debate statements 0.58 → 0.80, 600 convention sentences 0.56 → 0.61.
    public init() {
        training = SGDSettings()
        training.epochs = 20
        training.tokenDropout = 0.1
        training.optimizer = .adam
        training.learningRate = 0.0025
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

extension TransferStrategy {
    /// The training settings of fine-tune and combine (nil for the other strategies).
    public var bagTraining: SGDSettings? {
        switch self {
        case .fineTune(let settings): settings.training
        case .combine(let settings): settings.training
        case .usePretrained, .fixedFeatures, .fromScratch: nil
        }
    }
}
