import Foundation
import NeuralNetworks

extension ImageSet {
    /// Reads labelled images from `path`: a folder with one subfolder per label (PNG and JPEG
    /// files, resized to `shape`), or an IDX image file whose labels are in `labelsPath` — by
    /// default the file named like it with `labels-idx1` for `images-idx3` — and whose class names
    /// are the lines of a `classes.txt` beside it, when there is one.
    /// - Parameters:
    ///   - path: the folder or IDX image file.
    ///   - labelsPath: the IDX label file (default: found beside `path`).
    ///   - shape: the shape images are resized to (default: the first folder image's, grayscale
    ///     or RGB; an IDX file's own).
    ///   - shorterSide: for folder images, the length their shorter side is scaled to before the
    ///     centre crop to `shape` (default: straight to `shape`).
    ///   - classNames: the class names, for a folder the subfolders to read, in this order.
    ///   - badImages: what to do with an image that cannot be decoded.
    /// - Returns: the images and how many `badImages: .skip` left out.
    /// - Throws: `ImageFileError` naming the file (and byte) for anything unreadable.
    public static func read(_ path: String, labelsPath: String? = nil, shape: MapShape? = nil, shorterSide: Int? = nil,
                            classNames: [String]? = nil, badImages: BadImagePolicy = .fail) throws -> (images: ImageSet, skipped: Int) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ImageFileError(path: path, message: "no such file or folder")
        }
        if isFolder.boolValue {
            return try readFolder(path, shape: shape, shorterSide: shorterSide, classNames: classNames, badImages: badImages)
        }
        let labels = labelsPath ?? Self.labelsPath(forIDXImages: path)
        let names = try classNames ?? classNamesBeside(path)
        let images = try ImageSet(idxImages: path, labels: labels, classNames: names)
        guard let shape, shape != images.shape else { return (images, 0) }
        return (images.fitted(to: shape, shorterSide: shorterSide), 0)
    }

    /// The labels file an IDX image file's name implies (`…images-idx3-ubyte…` → `…labels-idx1-ubyte…`).
    public static func labelsPath(forIDXImages imagesPath: String) -> String {
        let url = URL(fileURLWithPath: imagesPath)
        let name = url.lastPathComponent.replacingOccurrences(of: "images-idx3", with: "labels-idx1")
            .replacingOccurrences(of: "images", with: "labels")
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// The non-empty lines of `classes.txt` in the IDX file's folder, or nil when there is none.
    static func classNamesBeside(_ imagesPath: String) throws -> [String]? {
        let file = URL(fileURLWithPath: imagesPath).deletingLastPathComponent().appendingPathComponent("classes.txt").path
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        return try classNames(inFile: file)
    }

    /// The non-empty lines of a class-name file (UTF-8, at most 1 MiB), trimmed.
    /// - Throws: `ImageFileError` for an unreadable file, one that is not UTF-8, or repeated names.
    public static func classNames(inFile file: String) throws -> [String] {
        let bytes = try FileBytes.read(file, limit: 1 << 20)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ImageFileError(path: file, message: "class names are not UTF-8 text")
        }
        let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard Set(names).count == names.count else { throw ImageFileError(path: file, message: "a class name is repeated") }
        return names
    }
}

/// What reading an image set does with an image that cannot be decoded.
public enum BadImagePolicy: String, Sendable, Hashable, CaseIterable {
    /// Stop with an error naming the file.
    case fail
    /// Leave it out and count it.
    case skip
}

extension ImageSet {
    /// The file extensions a folder of images is read for (case does not matter).
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Reads a folder with one subfolder per class (in name order unless `classNames` gives it),
    /// decoding the PNG and JPEG files of each on all cores and fitting them to `shape` (default:
    /// the first image's size, gray when it is gray, else RGB). Other files are ignored.
    static func readFolder(_ path: String, shape: MapShape?, shorterSide: Int?, classNames: [String]?, badImages: BadImagePolicy) throws
        -> (images: ImageSet, skipped: Int) {
        let folder = URL(fileURLWithPath: path)
        let manager = FileManager.default
        let names: [String]
        if let classNames {
            names = classNames
        } else {
            let entries = (try? manager.contentsOfDirectory(atPath: path)) ?? []
            names = entries.filter { entry in
                var isFolder: ObjCBool = false
                return !entry.hasPrefix(".") && manager.fileExists(atPath: folder.appendingPathComponent(entry).path, isDirectory: &isFolder)
                    && isFolder.boolValue
            }.sorted()
        }
        guard !names.isEmpty else { throw ImageFileError(path: path, message: "no class subfolders (one per label, holding PNG or JPEG files)") }
        var files: [(path: String, label: Int)] = []
        for (label, name) in names.enumerated() {
            let classFolder = folder.appendingPathComponent(name)
            guard let entries = try? manager.contentsOfDirectory(atPath: classFolder.path) else {
                throw ImageFileError(path: classFolder.path, message: "cannot list the class folder")
            }
            for entry in entries.sorted() where !entry.hasPrefix(".") && imageExtensions.contains((entry as NSString).pathExtension.lowercased()) {
                files.append((classFolder.appendingPathComponent(entry).path, label))
            }
        }
        guard let first = files.first else { throw ImageFileError(path: path, message: "no PNG or JPEG files in the class subfolders") }
        let target: MapShape
        if let shape {
            target = shape
        } else {
            let image = try DecodedImage(contentsOf: first.path)
            target = MapShape(channels: image.channels >= 3 ? 3 : 1, height: image.height, width: image.width)
        }
        let results = decodeAll(files.map(\.path), fittedTo: target, shorterSide: shorterSide)
        var pixels: [UInt8] = [], labels: [Int] = [], sources: [String] = [], skipped = 0
        pixels.reserveCapacity(files.count * target.count)
        for (file, result) in zip(files, results) {
            switch result {
            case .success(let planar):
                pixels += planar
                labels.append(file.label)
                sources.append(file.path)
            case .failure(let error):
                guard badImages == .skip else { throw error }
                skipped += 1
            }
        }
        guard !labels.isEmpty else { throw ImageFileError(path: path, message: "every image was unreadable (\(skipped) skipped)") }
        return (ImageSet(shape: target, pixels: pixels, labels: labels, classNames: names, sources: sources), skipped)
    }

    /// Decodes and fits every file, spread over the cores.
    private static func decodeAll(_ paths: [String], fittedTo shape: MapShape, shorterSide: Int?) -> [Result<[UInt8], ImageFileError>] {
        let results = ResultSlots<Result<[UInt8], ImageFileError>>(UnsafeMutableBufferPointer.allocate(capacity: paths.count))
        defer { results.value.deallocate() }
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            let result: Result<[UInt8], ImageFileError>
            do {
                result = .success(try DecodedImage(contentsOf: paths[index]).fitted(to: shape, shorterSide: shorterSide))
            } catch let error as ImageFileError {
                result = .failure(error)
            } catch {
                result = .failure(ImageFileError(path: paths[index], message: "\(error)"))
            }
            (results.value.baseAddress! + index).initialize(to: result)
        }
        let collected = Array(results.value)
        results.value.baseAddress!.deinitialize(count: paths.count)
        return collected
    }
}

/// Slots each worker of `concurrentPerform` initialises at its own index.
private struct ResultSlots<Element>: @unchecked Sendable {
    let value: UnsafeMutableBufferPointer<Element>
    init(_ value: UnsafeMutableBufferPointer<Element>) { self.value = value }
}

extension ImageSet {
    /// The class name of images read without labels (`read(files:…)`).
    public static let unlabeled = "unlabeled"

    /// The image files `paths` stand for: a file itself, a folder its PNG and JPEG files,
    /// recursively, in name order (hidden ones left out).
    /// - Throws: `ImageFileError` for a path that does not exist.
    public static func imageFiles(in paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ImageFileError(path: path, message: "no such file or folder")
            }
            guard isFolder.boolValue else {
                files.append(path)
                continue
            }
            let entries = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
            files += entries.filter { entry in
                !entry.split(separator: "/").contains { $0.hasPrefix(".") } && imageExtensions.contains((entry as NSString).pathExtension.lowercased())
            }.sorted().map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
        }
        return files
    }

    /// Reads image files without labels (for prediction), fitted to `shape` (their shorter side
    /// first scaled to `shorterSide` when given), decoded on all cores, in the given order. Every
    /// image gets the one class `unlabeled`.
    /// - Returns: the images and how many `badImages: .skip` left out.
    /// - Throws: `ImageFileError` naming the file for an undecodable image.
    public static func read(files: [String], shape: MapShape, shorterSide: Int? = nil, badImages: BadImagePolicy = .fail) throws
        -> (images: ImageSet, skipped: Int) {
        var pixels: [UInt8] = [], sources: [String] = [], skipped = 0
        for (file, result) in zip(files, decodeAll(files, fittedTo: shape, shorterSide: shorterSide)) {
            switch result {
            case .success(let planar):
                pixels += planar
                sources.append(file)
            case .failure(let error):
                guard badImages == .skip else { throw error }
                skipped += 1
            }
        }
        return (ImageSet(shape: shape, pixels: pixels, labels: [Int](repeating: 0, count: sources.count), classNames: [unlabeled],
                         sources: sources), skipped)
    }
}
