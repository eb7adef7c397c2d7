// LinearAlgebraKernels: the SIMD inner loops under the LinearAlgebra module.
//
// Every kernel is compiled three times from one source (KernelTemplate.h): for the baseline CPU,
// for AVX2+FMA and for AVX-512, each variant marked with a per-function `target` attribute, so no
// compiler flag is needed and the package stays usable as a dependency. The caller chooses the
// variant through `ek_isa`; `ek_detect_isa()` returns the best one this CPU runs.
//
// Input vectors are read with unaligned loads: rows inside a mapped file (word2vec binary) may sit
// at any byte address, so they are passed as `const void *`.
#ifndef LINEAR_ALGEBRA_KERNELS_H
#define LINEAR_ALGEBRA_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction sets the kernels are compiled for.
typedef enum {
    EK_ISA_BASELINE = 0,  ///< portable vector code (SSE2 on x86-64, NEON on arm64)
    EK_ISA_AVX2_FMA = 1,  ///< 256-bit AVX2 with fused multiply-add
    EK_ISA_AVX512 = 2,    ///< 512-bit AVX-512F
} ek_isa;

/// The best instruction set this CPU and operating system support.
ek_isa ek_detect_isa(void);

/// Sum of a[i] * b[i] for i < n.
float ek_dot(ek_isa isa, const void *a, const void *b, size_t n);

/// Sum of x[i] * x[i] for i < n.
float ek_sum_of_squares(ek_isa isa, const void *x, size_t n);

/// Sum of x[i] for i < n: a plain streaming read, the bandwidth reference for benchmarks.
float ek_sum(ek_isa isa, const void *x, size_t n);

/// y[i] += alpha * x[i] for i < n.
void ek_axpy(ek_isa isa, size_t n, float alpha, const void *x, float *y);

/// x[i] *= alpha for i < n.
void ek_scale(ek_isa isa, size_t n, float alpha, float *x);

/// x[i] = min(max(x[i], lower), upper).
void ek_clamp(ek_isa isa, size_t n, float lower, float upper, float *x);

/// x[i] = min(max(x[i] + addend, lower), upper) (a bias and a fused activation).
void ek_add_clamp(ek_isa isa, size_t n, float addend, float lower, float upper, float *x);

/// The window of a 2-D convolution: kernel size, strides, dilations, and the padding above and
/// to the left (the padding below and to the right follows from the output size).
typedef struct {
    size_t kernel_height, kernel_width, stride_y, stride_x, dilation_y, dilation_x, pad_top, pad_left;
} ek_window;

/// The floats of scratch space `ek_depthwise_map` needs: the padded input map, rows split into stride phases.
size_t ek_depthwise_scratch_count(const ek_window *window, size_t output_height, size_t output_width);

/// One map of a depthwise convolution (one filter per channel): output[oy][ox] = bias +
/// Σ filter[ky][kx] · input[oy·sy − top + ky·dy][ox·sx − left + kx·dx] over the taps inside the
/// `height` × `width` input, then clamped to [lower, upper]. `filter` is kernel_height × kernel_width;
/// `scratch` holds `ek_depthwise_scratch_count(window, output_height, output_width)` floats.
void ek_depthwise_map(ek_isa isa, const float *input, size_t height, size_t width, const float *filter, const ek_window *window,
                      float bias, float lower, float upper, float *output, size_t output_height, size_t output_width,
                      float *scratch);

/// x[i] = max(x[i], 0).
void ek_relu(ek_isa isa, size_t n, float *x);
// y[i] = 1 / (1 + exp(-x[i])), times x[i] when `times_input` (SiLU); within a few ulp of expf's.
void ek_sigmoid(ek_isa isa, size_t n, const float *x, float *y, int times_input);

/// x ← softmax(x) in place (e^(x − max) normalised; NaN when x holds NaN or is all −∞, as PyTorch gives).
void ek_softmax(ek_isa isa, size_t n, float *x);

/// y[i] = x[i] · Φ(x[i]), the exact GELU, with a rational erf within 4.2e-7 of erf (NaN stays NaN).
void ek_gelu(ek_isa isa, size_t n, const float *x, float *y);
/// dx[i] = dy[i] · (Φ(x[i]) + x[i] · φ(x[i])): the exact GELU's gradient.
void ek_gelu_backward(ek_isa isa, size_t n, const float *x, const float *dy, float *dx);

/// gradient[i] = activation[i] > 0 ? gradient[i] : 0 (the backward pass of ReLU).
void ek_relu_backward(ek_isa isa, size_t n, const float *activation, float *gradient);

/// gradient[i] = 0 wherever value[i] is not strictly between lower and upper (a clamp's backward pass).
void ek_clamp_backward(ek_isa isa, size_t n, const float *value, float lower, float upper, float *gradient);

/// One Adam step: m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², w −= step · m / (√v + ε).
void ek_adam_step(ek_isa isa, size_t n, const float *gradient, float *m, float *v, float *w, float beta1, float beta2,
                  float step, float epsilon);

/// y[i] *= x[i].
void ek_multiply_elementwise(ek_isa isa, size_t n, const float *x, float *y);

/// y[i] = A[i, :] · x for the `rows` × `columns` matrix A with row stride `lda` (in floats).
void ek_gemv(ek_isa isa, size_t rows, size_t columns, const void *a, size_t lda,
             const float *x, float *y);

/// y[j] = sum over i of A[i, j] * x[i]: y = Aᵀ x, with A as in `ek_gemv` and y of length `columns`.
void ek_gemv_transposed(ek_isa isa, size_t rows, size_t columns, const void *a, size_t lda,
                        const float *x, float *y);

/// C = alpha · op(A) · op(B) + beta · C, row-major, where op(X) is X or Xᵀ. op(A) is m × k,
/// op(B) is k × n, C is m × n; lda, ldb and ldc are the row strides (in floats) of A, B and C as
/// stored. When beta is 0, C is not read (NaN in C does not propagate).
/// Returns 0, or -1 when the packing workspace could not be allocated.
int ek_gemm(ek_isa isa, int transpose_a, int transpose_b, size_t m, size_t n, size_t k,
            float alpha, const float *a, size_t lda, const float *b, size_t ldb,
            float beta, float *c, size_t ldc);

/// The floats `ek_pack_a_whole` writes for an m × k matrix (m rounded up to the variant's panel height, times k).
size_t ek_packed_a_count(ek_isa isa, size_t m, size_t k);

/// Packs the row-major m × k matrix A (row stride `lda`) once, for `ek_gemm_prepacked` with the same isa.
void ek_pack_a_whole(ek_isa isa, size_t m, size_t k, const float *a, size_t lda, float *packed);

/// The panel height of `isa`'s packed A (its row count is rounded up to a multiple of it).
size_t ek_panel_rows(ek_isa isa);

/// `ek_gemm` with A not transposed, alpha 1, and A (m rows, `packed_rows` once rounded up to whole
/// panels) already packed by `ek_pack_a_whole` (A itself is still passed for the shapes that do not pack).
int ek_gemm_prepacked(ek_isa isa, int transpose_b, size_t m, size_t n, size_t k, const float *a, size_t lda, const float *packed_a,
                      size_t packed_rows, const float *b, size_t ldb, float beta, float *c, size_t ldc);

/// y[i] = Σ_j half(A[i, j]) · x[j] for `rows` rows of `columns` IEEE float16 values (bit patterns,
/// row stride `lda` values, any byte address): float16 rows searched without decoding them first.
void ek_gemv_f16(ek_isa isa, size_t rows, size_t columns, const void *a, size_t lda, const float *x, float *y);

/// y[i] = scales[i] · x_scale · Σ_j A[i, j] · x[j] for `rows` rows of `columns` int8 codes (row
/// stride `lda` bytes) and an int16 query: the integer sums are exact (int32 multiply-add in blocks
/// of 2048 columns, then added in double).
void ek_gemv_i8(ek_isa isa, size_t rows, size_t columns, const void *a, size_t lda, const int16_t *x,
                const float *scales, float x_scale, float *y);

/// y[i] = float(x[i]) for n float16 bit patterns at any byte address.
void ek_f16_to_f32(ek_isa isa, size_t n, const void *x, float *y);

/// y[i] = the float16 nearest x[i] (ties to even; beyond ±65504 infinity; NaN stays NaN), as bit patterns.
void ek_f32_to_f16(ek_isa isa, size_t n, const float *x, void *y);

/// The first filter of a top-k cosine scan: writes to `indices` (room for n) every i < n whose
/// dots[i] ≥ threshold · norms[i] (less a relative 1e-6 for rounding) or whose norm lies outside
/// [1e-18, 1e18], in increasing order; returns how many.
size_t ek_select_candidates(ek_isa isa, size_t n, const float *dots, const float *norms, float threshold, uint32_t *indices);

/// Runs `iterations` rounds of independent fused multiply-adds held in registers and returns the
/// number of floating-point operations performed: the compute peak reference for benchmarks.
/// `sink` receives a value that depends on every operation, so none can be optimised away.
double ek_fma_peak_loop(ek_isa isa, size_t iterations, float *sink);

/// The cores in this process's CPU affinity mask (Linux: `taskset`, container cpusets), or 0 where
/// there is no such mask or it cannot be read.
int ek_affinity_core_count(void);

/// Tells the CPU the caller is spinning on a shared variable (x86 `pause`, arm64 `yield`): it
/// saves power and frees the core's resources for a sibling hyper-thread.
static inline void ek_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#ifdef __cplusplus
}
#endif

#endif
