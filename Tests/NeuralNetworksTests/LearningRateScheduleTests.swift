import NeuralNetworks
import Testing

@Suite("Learning-rate schedules")
struct LearningRateScheduleTests {
    @Test("warm-up schedules start at base / warm-up steps, peak at the base rate and never exceed it, even when the warm-up is under one step")
    func warmUp() {
        for schedule in [LearningRateSchedule.warmupLinear(warmup: 0.1), .warmupCosine(warmup: 0.1)] {
            #expect(abs(schedule.rate(base: 1, done: 0, total: 100) - 0.1) < 1e-6)
            #expect(abs(schedule.rate(base: 1, done: 9, total: 100) - 1) < 1e-6)
            #expect(schedule.rate(base: 1, done: 99, total: 100) < 0.02)
            for total in 1...30 {
                let rates = (0..<total).map { schedule.rate(base: 2, done: $0, total: total) }
                #expect(rates.allSatisfy { $0 > 0 && $0 <= 2 }, "\(schedule) over \(total) steps: \(rates)")
            }
        }
    }
}
