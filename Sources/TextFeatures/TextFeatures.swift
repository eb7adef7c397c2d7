// The TextFeatures module: tokenizers, document featurizers and corpus readers (issue: text classification).
// Its types arrive with the issue that builds them; until then the module is intentionally empty.
