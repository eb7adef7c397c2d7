extension WordEmbeddings {
    /// The cache file `LoadOptions.cache = .beside` uses for `path`.
    public static func cachePath(for path: String) -> String { path + ".ekv" }

    /// Opens the native cache beside `path` when its fingerprint matches the source; otherwise
    /// parses the source and writes the cache (atomically) for next time.
    static func loadThroughCache(path: String, options: LoadOptions) throws -> WordEmbeddings {
        var uncached = options
        uncached.cache = .off
        let cachePath = cachePath(for: path)
        let current = ContentFingerprint.of(fileAt: path)
        if current != nil, var cached = try? WordEmbeddings(contentsOf: cachePath, options: LoadOptions(
               format: .native, limit: nil, caseMatching: options.caseMatching)),
           cached.metadata.originalFingerprint == current {
            cached.metadata.cacheStatus = .hit
            return cached
        }
        var loaded = try WordEmbeddings(contentsOf: path, options: uncached)
        guard loaded.metadata.format != .native else { return loaded }
        do {
            try VectorFileWriter.write(loaded, to: cachePath, as: .native)
            loaded.metadata.cacheStatus = .written
        } catch {
            loaded.metadata.cacheStatus = .writeFailed
        }
        return loaded
    }
}
