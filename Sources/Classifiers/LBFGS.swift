import NeuralNetworks

/// Limited-memory BFGS with a backtracking (Armijo) line search, in double precision.
enum LBFGS {
    /// Minimises `objective` from `start`.
    /// - Parameters:
    ///   - tolerance: stop when the largest gradient component is below it.
    ///   - afterStep: called after each step with its number, the parameters and the loss; return false to stop.
    /// - Throws: `TrainingError.diverged` when the loss is not finite.
    static func minimize(
        start: [Double], iterations: Int, tolerance: Double, memory: Int = 10,
        objective: ([Double]) -> (loss: Double, gradient: [Double]),
        afterStep: (Int, [Double], Double) -> Bool
    ) throws -> [Double] {
        var x = start
        var (loss, gradient) = objective(x)
        guard loss.isFinite else { throw TrainingError.diverged(step: 0) }
        var history: [(s: [Double], y: [Double], rho: Double)] = []
        for step in 1...max(1, iterations) {
            if gradient.lazy.map(abs).max() ?? 0 < tolerance { break }
            let direction = searchDirection(gradient, history)
            let slope = dot(gradient, direction)
            guard slope < 0 else {
                history.removeAll()
                continue
            }
            var stepSize = history.isEmpty ? min(1, 1 / (gradient.lazy.map(abs).max() ?? 1)) : 1.0
            var candidate = x, candidateLoss = loss, candidateGradient = gradient
            var accepted = false
            for _ in 0..<40 {
                candidate = zip(x, direction).map { $0 + stepSize * $1 }
                (candidateLoss, candidateGradient) = objective(candidate)
                if candidateLoss.isFinite && candidateLoss <= loss + 1e-4 * stepSize * slope {
                    accepted = true
                    break
                }
                stepSize /= 2
            }
            guard accepted else {
                if !candidateLoss.isFinite { throw TrainingError.diverged(step: step) }
                break  // no decrease possible along this direction: converged as far as precision allows
            }
            let s = zip(candidate, x).map { $0 - $1 }, y = zip(candidateGradient, gradient).map { $0 - $1 }
            let curvature = dot(s, y)
            if curvature > 1e-12 {
                history.append((s, y, 1 / curvature))
                if history.count > memory { history.removeFirst() }
            }
            (x, loss, gradient) = (candidate, candidateLoss, candidateGradient)
            if !afterStep(step, x, loss) { break }
        }
        return x
    }

    /// The two-loop recursion: −H·g for the inverse-Hessian estimate the history holds.
    private static func searchDirection(_ gradient: [Double], _ history: [(s: [Double], y: [Double], rho: Double)]) -> [Double] {
        var q = gradient
        var alphas = [Double](repeating: 0, count: history.count)
        for index in history.indices.reversed() {
            alphas[index] = history[index].rho * dot(history[index].s, q)
            for j in q.indices { q[j] -= alphas[index] * history[index].y[j] }
        }
        if let last = history.last {
            let scale = dot(last.s, last.y) / dot(last.y, last.y)
            for j in q.indices { q[j] *= scale }
        }
        for index in history.indices {
            let beta = history[index].rho * dot(history[index].y, q)
            for j in q.indices { q[j] += history[index].s[j] * (alphas[index] - beta) }
        }
        return q.map { -$0 }
    }

    private static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for index in a.indices { sum += a[index] * b[index] }
        return sum
    }
}
