import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Plots

/// Whether `svg` parses as XML, and the text of its `<text>` elements.
func textElements(of svg: String) -> [String]? {
    final class Collector: NSObject, XMLParserDelegate {
        var texts: [String] = [], current: String?
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if name == "text" { current = "" }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { current? += string }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "text", let current { texts.append(current) }
            current = nil
        }
    }
    let parser = XMLParser(data: Data(svg.utf8)), collector = Collector()
    parser.delegate = collector
    return parser.parse() ? collector.texts : nil
}

@Suite("SVG plots: well-formed, labelled, the right numbers")
struct PlotsTests {
    @Test("a confusion matrix shows the classes that occur, each count, and escapes its labels")
    func confusionMatrix() throws {
        let labels = ["a<b", "c&d", "unused", "e"]
        let counts = [[5, 1, 0, 0], [2, 7, 0, 0], [0, 0, 0, 0], [0, 0, 0, 3]]
        let svg = ConfusionMatrixPlot(labels: labels, counts: counts, title: "accuracy 0.83").svg
        let texts = try #require(textElements(of: svg))
        #expect(texts.contains("a<b") && texts.contains("c&d") && !texts.contains("unused"))
        for count in ["5", "1", "2", "7", "3"] { #expect(texts.contains(count), "\(count)") }
        #expect(texts.contains("3 of 4 classes shown: the others have no test documents and no predictions"))
        #expect(svg.contains("true a&lt;b, predicted c&amp;d: 1 (17% of the row)"))
    }

    @Test("a training curve marks the best validation accuracy; without validation it draws the loss only")
    func trainingCurve() throws {
        let points = [(1, 0.9, 0.70), (2, 0.5, 0.78), (3, 0.3, 0.76)].map {
            TrainingCurvePlot.Point(epoch: $0.0, loss: $0.1, validationAccuracy: $0.2)
        }
        let texts = try #require(textElements(of: TrainingCurvePlot(points: points, title: "fine-tune").svg))
        #expect(texts.contains("best 0.7800 at epoch 2") && texts.contains("validation accuracy"))
        let lossOnly = points.map { TrainingCurvePlot.Point(epoch: $0.epoch, loss: $0.loss, validationAccuracy: nil) }
        let plain = try #require(textElements(of: TrainingCurvePlot(points: lossOnly, title: "t").svg))
        #expect(!plain.contains("validation accuracy") && plain.contains("training loss"))
        #expect(TrainingCurvePlot.niceCeiling(0.93) == 1 && TrainingCurvePlot.niceCeiling(1.7) == 2 && TrainingCurvePlot.niceCeiling(0.03) == 0.05)
    }

    @Test("principal components: points on a line project to their positions along it, the second component to zero")
    func principalComponents() {
        // Points at t · (1, 2, 2)/3 plus a small spread along (2, -1, 0)/√5, uncorrelated with t.
        let positions: [Double] = [-2, -1, 0, 1, 2], spread: [Double] = [0.1, -0.2, 0, 0.2, -0.1]
        let rows = zip(positions, spread).map { t, s in
            [t / 3 + 2 * s / 5.squareRoot(), 2 * t / 3 - s / 5.squareRoot(), 2 * t / 3].map(Float.init)
        }
        let projected = PrincipalComponents.project(rows)
        let meanPosition = positions.reduce(0, +) / 5, meanSpread = spread.reduce(0, +) / 5
        for (index, point) in projected.enumerated() {
            #expect(abs(point[0] - (positions[index] - meanPosition)) < 1e-5, "\(point)")
            #expect(abs(abs(point[1]) - abs(spread[index] - meanSpread)) < 1e-5, "\(point)")
        }
        #expect(PrincipalComponents.project([[1, 2]]) == [[0, 0]])
    }

    @Test("a word map labels every word")
    func wordMap() throws {
        let svg = WordMapPlot(words: ["king", "queen", "apple"], vectors: [[1, 0, 0], [0.9, 0.1, 0], [0, 0, 1]], title: "3 words").svg
        let texts = try #require(textElements(of: svg))
        #expect(["king", "queen", "apple"].allSatisfy(texts.contains))
    }

    @Test("an image grid embeds each tile as a BMP of the right size and colours, shrunk to at most 96 pixels")
    func imageGrid() throws {
        // A 2 × 2 RGB image: red, green / blue, white (channel planes).
        let tile = ImageGridPlot.Tile(channels: 3, height: 2, width: 2, pixels: [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255],
                                      predicted: "a", truth: "b")
        let bitmap = [UInt8](ImageGridPlot.bitmap(tile))
        #expect(bitmap.count == 54 + 2 * 8 && bitmap[0] == 0x42 && bitmap[1] == 0x4D)
        // Bottom row first, BGR: blue then white; then red then green.
        #expect(Array(bitmap[54..<60]) == [255, 0, 0, 255, 255, 255] && Array(bitmap[62..<68]) == [0, 0, 255, 0, 255, 0])
        let large = ImageGridPlot.Tile(channels: 1, height: 224, width: 224, pixels: [UInt8](repeating: 200, count: 224 * 224),
                                       predicted: "x", truth: "x")
        let shrunk = ImageGridPlot.shrunk(large, toAtMost: 96)
        #expect(shrunk.height == 74 && shrunk.width == 74 && shrunk.pixels.allSatisfy { $0 == 200 })
        let texts = try #require(textElements(of: ImageGridPlot(tiles: [tile, large], title: "grid").svg))
        #expect(texts.contains("→ a") && texts.contains("true b") && texts.contains("→ x"))
    }
}
