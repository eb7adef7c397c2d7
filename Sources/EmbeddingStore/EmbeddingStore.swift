// The EmbeddingStore module: the embedding store: memory-mapped word-vector files, vocabularies, formats and queries (issue: embedding store).
// Its types arrive with the issue that builds them; until then the module is intentionally empty.
