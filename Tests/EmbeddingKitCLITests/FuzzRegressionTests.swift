import Foundation
import Testing

/// Inputs the fuzzer found (Fixtures/fuzz/README): each ends in an answer or a clean error now.
@Suite("inputs found by fuzzing end in an answer or a clean error")
struct FuzzRegressionTests {
    static func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("fuzz/\(name)").path
    }

    func expectNoCrash(_ result: (status: Int32, stdout: String, stderr: String), _ what: String) {
        #expect(result.status == 0 || result.status == 1, "\(what): exit \(result.status)")
        #expect(!result.stderr.contains("crashed") && !result.stderr.contains("Fatal error") && !result.stderr.contains("runtime failure"),
                "\(what): \(result.stderr.prefix(300))")
    }

    @Test func fastTextModelWithNaNWeightsPredicts() throws {
        let result = try EmbeddingKitProcess.run(["predict", "--model", Self.fixture("nan-weights.ftz"), "-k", "2"], input: "hello world\n")
        expectNoCrash(result, "nan-weights.ftz")
    }

    @Test func fastTextModelWithPruneIndexOutsideTheMatrixIsAnError() throws {
        let result = try EmbeddingKitProcess.run(["predict", "--model", Self.fixture("prune-index-out-of-range.ftz")], input: "hello world\n")
        expectNoCrash(result, "prune-index-out-of-range.ftz")
        #expect(result.status == 1 && result.stderr.contains("byte 17410: the prune index sends n-gram bucket -83882995 to row -1329"),
                "\(result.stderr)")
    }

    @Test func quantizedFastTextMatrixWhoseCodeCountOverflowsIsAnError() throws {
        let result = try EmbeddingKitProcess.run(["predict", "--model", Self.fixture("code-count-overflow.ftz")], input: "hello world\n")
        expectNoCrash(result, "code-count-overflow.ftz")
        #expect(result.status == 1 && result.stderr.contains("byte 17411: the quantized input matrix's codes do not match its shape"),
                "\(result.stderr)")
    }

    @Test func onnxMakingMillionsOfConstantValuesIsRefusedQuickly() throws {
        let start = Date()
        let result = try EmbeddingKitProcess.run(["info", Self.fixture("huge-pads.onnx")])
        expectNoCrash(result, "huge-pads.onnx")
        #expect(result.stdout.contains("ConstantOfShape of 16776964 values") && result.stdout.count < 2_000, "\(result.stdout.prefix(300))")
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func truncatedVecIsAnError() throws {
        let result = try EmbeddingKitProcess.run(["info", Self.fixture("short.vec")])
        #expect(result.status == 1 && result.stderr.contains("the header promises 291 rows"), "\(result.stderr)")
    }
}
