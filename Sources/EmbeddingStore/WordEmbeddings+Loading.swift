extension WordEmbeddings {
    /// Reads an uncompressed file in place: native and word2vec binary stay mapped, text is parsed.
    static func loadMapped(_ file: MappedFile, options: LoadOptions) throws -> WordEmbeddings {
        let source = ByteSource(path: file.path, bytes: file.bytes, owner: file, mappedFile: file, wasCompressed: false)
        let format = try options.format ?? FormatDetector.detect(source)
        switch format {
        case .word2vecBinary:
            return try Word2VecBinaryReader(source: source, options: options).read()
        case .word2vecText, .fasttextVec, .glove:
            return try TextVectorReader(path: file.path, format: format, options: options).read(source)
        case .native:
            return try NativeFormat.open(source, options: options)
        case .fasttextBin:
            return try FastTextBinaryReader(source: source, options: options).read()
        }
    }

    /// Reads a gzip file: text is parsed while it is inflated; word2vec binary is inflated first.
    static func loadCompressed(_ file: MappedFile, options: LoadOptions) throws -> WordEmbeddings {
        let path = file.path
        let prefix = try GzipStream.inflatePrefix(file.bytes, path: path, length: 1 << 20)
        let format = try options.format ?? FormatDetector.detect(
            ByteSource(path: path, bytes: prefix.bytes, owner: prefix, mappedFile: nil, wasCompressed: true))
        switch format {
        case .word2vecText, .fasttextVec, .glove:
            return try TextVectorReader(path: path, format: format, options: options)
                .read(streaming: GzipLineBlocks(file: file, progress: options.progress), compressedSize: file.count)
        case .word2vecBinary:
            let inflated = try GzipStream.inflateAll(file.bytes, path: path)
            let source = ByteSource(path: path, bytes: inflated.bytes, owner: inflated, mappedFile: nil, wasCompressed: true)
            return try Word2VecBinaryReader(source: source, options: options).read()
        case .native, .fasttextBin:
            throw EmbeddingFileError(path: path, location: .file, kind: .unknownFormat,
                                     message: "\(format) files are read uncompressed: gunzip it first")
        }
    }
}
