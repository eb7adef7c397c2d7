/// Whether every value is within 1e-4 relative (1e-4 absolute for values below 1) of the reference's.
func matches(_ ours: [Float], _ theirs: [Float], tolerance: Float = 1e-4) -> Bool {
    ours.count == theirs.count && zip(ours, theirs).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
}
