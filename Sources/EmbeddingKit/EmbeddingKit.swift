// One import for the whole toolkit: `import EmbeddingKit` brings every library module.
@_exported import Classifiers
@_exported import EmbeddingStore
@_exported import ImageFeatures
@_exported import LinearAlgebra
@_exported import NeuralNetworks
@_exported import ONNXExport
@_exported import ONNXImport
@_exported import Plots
@_exported import TextFeatures
@_exported import TransferLearning
