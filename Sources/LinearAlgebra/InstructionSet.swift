import LinearAlgebraKernels

/// The SIMD instruction set a kernel variant is compiled for.
///
/// Every kernel exists in a portable variant and, on x86-64, in AVX2+FMA and AVX-512 variants
/// chosen at run time, so the package needs no compiler flags and runs on any CPU.
public enum InstructionSet: String, Sendable, CaseIterable {
    /// Portable vector code: SSE2 on x86-64, NEON on arm64.
    case baseline
    /// 256-bit AVX2 with fused multiply-add.
    case avx2FMA = "avx2+fma"
    /// 512-bit AVX-512F (with FMA).
    case avx512

    /// The best instruction set this CPU supports; the kernels use it unless told otherwise.
    public static let detected: InstructionSet = InstructionSet(ek_detect_isa())

    /// Whether this CPU can run kernels compiled for this instruction set.
    public var isSupported: Bool { rank <= InstructionSet.detected.rank }

    init(_ isa: ek_isa) {
        switch isa {
        case EK_ISA_AVX512: self = .avx512
        case EK_ISA_AVX2_FMA: self = .avx2FMA
        default: self = .baseline
        }
    }

    /// The value the C kernels (`LinearAlgebraKernels`) take.
    public var kernelValue: ek_isa {
        switch self {
        case .baseline: EK_ISA_BASELINE
        case .avx2FMA: EK_ISA_AVX2_FMA
        case .avx512: EK_ISA_AVX512
        }
    }

    private var rank: Int {
        switch self {
        case .baseline: 0
        case .avx2FMA: 1
        case .avx512: 2
        }
    }
}
