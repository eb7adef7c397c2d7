// Shared helpers, the per-instruction-set kernel variants, and the dispatching entry points.
#include "LinearAlgebraKernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef float ek_vec4 __attribute__((ext_vector_type(4)));
typedef float ek_vec8 __attribute__((ext_vector_type(8)));

/// Reads one float at any byte address.
static inline float ek_load_scalar(const char *p) {
    float v;
    memcpy(&v, p, sizeof v);
    return v;
}

/// Dot product of four floats at any byte address.
static inline float ek_dot4(const char *a, const char *b) {
    ek_vec4 x, y;
    memcpy(&x, a, sizeof x);
    memcpy(&y, b, sizeof y);
    ek_vec4 p = x * y;
    return (p.x + p.z) + (p.y + p.w);
}

/// The padded input length a window needs along one axis: the last window's last tap plus one.
static inline long ek_padded_extent(long outputs, long stride, long kernel, long dilation) {
    return (outputs - 1) * stride + (kernel - 1) * dilation + 1;
}

/// The depth of one packed block of a matrix product.
#define EK_KC 256

static void *ek_aligned_alloc(size_t bytes) {
    void *p = NULL;
    return posix_memalign(&p, 64, bytes) == 0 ? p : NULL;
}

/// C = beta · C for beta other than 0 and 1 (those two are folded into the GEMM's first store).
static void ek_scale_matrix(size_t m, size_t n, float beta, float *c, size_t ldc) {
    for (size_t i = 0; i < m; i++) {
        float *row = c + i * ldc;
        for (size_t j = 0; j < n; j++) row[j] *= beta;
    }
}

/// Transposes the 4 × 4 block at `source` (row stride `ld` floats) into `destination` (row stride
/// `ldd`), times `alpha`: destination[q][r] = alpha · source[r][q].
static inline void ek_transpose4(const float *source, size_t ld, float *destination, size_t ldd, float alpha) {
    ek_vec4 r0, r1, r2, r3;
    memcpy(&r0, source, sizeof r0);
    memcpy(&r1, source + ld, sizeof r1);
    memcpy(&r2, source + 2 * ld, sizeof r2);
    memcpy(&r3, source + 3 * ld, sizeof r3);
    ek_vec4 t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5), t1 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
    ek_vec4 t2 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5), t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
    ek_vec4 c0 = alpha * __builtin_shufflevector(t0, t2, 0, 1, 4, 5), c1 = alpha * __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
    ek_vec4 c2 = alpha * __builtin_shufflevector(t1, t3, 0, 1, 4, 5), c3 = alpha * __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
    memcpy(destination, &c0, sizeof c0);
    memcpy(destination + ldd, &c1, sizeof c1);
    memcpy(destination + 2 * ldd, &c2, sizeof c2);
    memcpy(destination + 3 * ldd, &c3, sizeof c3);
}

/// Writes `panel_width` floats per row for `rows` rows of a panel (row stride `panel_width`),
/// reading the transposed `width` × `rows` block at `source` (row stride `ld`) times alpha:
/// panel[p][j] = alpha · source[j][p] for j < width, zero for width ≤ j < panel_width. The packing of
/// a transposed operand, 4 × 4 blocks at a time.
static void ek_pack_transposed(const float *source, size_t ld, size_t width, size_t rows, float alpha,
                               float *panel, size_t panel_width) {
    size_t j = 0;
    for (; j + 4 <= width; j += 4) {
        size_t p = 0;
        for (; p + 4 <= rows; p += 4) ek_transpose4(source + j * ld + p, ld, panel + p * panel_width + j, panel_width, alpha);
#pragma clang loop vectorize(disable)  // strided: vectorising would mean gathers, slow on many CPUs
        for (; p < rows; p++)
            for (size_t q = j; q < j + 4; q++) panel[p * panel_width + q] = alpha * source[q * ld + p];
    }
    for (; j < width; j++)
#pragma clang loop vectorize(disable)
        for (size_t p = 0; p < rows; p++) panel[p * panel_width + j] = alpha * source[j * ld + p];
    for (size_t p = 0; p < rows; p++)
        for (size_t q = width; q < panel_width; q++) panel[p * panel_width + q] = 0;
}

/// Copies `rows` rows of `width` floats at `source` (row stride `ld`) times alpha into a panel
/// (row stride `panel_width`), zero-padding each row to `panel_width`: the packing of an operand
/// whose panel rows are already contiguous.
static void ek_pack_rows(const float *source, size_t ld, size_t width, size_t rows, float alpha,
                         float *panel, size_t panel_width) {
    for (size_t p = 0; p < rows; p++) {
        const float *row = source + p * ld;
        float *out = panel + p * panel_width;
        for (size_t j = 0; j < width; j++) out[j] = alpha * row[j];
        for (size_t j = width; j < panel_width; j++) out[j] = 0;
    }
}

/// Packs rows [pc, pc+kc) × columns [jc, jc+nc) of op(B) into panels of `nr` columns, each panel
/// stored row by row (kc rows of nr floats), missing columns zero.
static void ek_pack_b(int tb, const float *b, size_t ldb, size_t pc, size_t kc, size_t jc, size_t nc,
                      size_t nr, float *out) {
    for (size_t jr = 0; jr < nc; jr += nr) {
        size_t width = nc - jr < nr ? nc - jr : nr;
        if (tb) {  // op(B)[p][j] = B[j][p]
            ek_pack_transposed(b + (jc + jr) * ldb + pc, ldb, width, kc, 1, out + jr * kc, nr);
        } else {
            ek_pack_rows(b + pc * ldb + jc + jr, ldb, width, kc, 1, out + jr * kc, nr);
        }
    }
}

/// Packs rows [ic, ic+mc) × columns [pc, pc+kc) of alpha · op(A) into panels of `mr` rows, each
/// panel stored column by column (kc columns of mr floats), missing rows zero.
static void ek_pack_a(int ta, const float *a, size_t lda, size_t ic, size_t mc, size_t pc, size_t kc,
                      size_t mr, float alpha, float *out) {
    for (size_t ir = 0; ir < mc; ir += mr) {
        size_t height = mc - ir < mr ? mc - ir : mr;
        if (ta) {  // op(A)[i][p] = A[p][i]: each stored row gives one panel column
            ek_pack_rows(a + pc * lda + ic + ir, lda, height, kc, alpha, out + ir * kc, mr);
        } else {
            ek_pack_transposed(a + (ic + ir) * lda + pc, lda, height, kc, alpha, out + ir * kc, mr);
        }
    }
}

#define EK_SUFFIX baseline
#define EK_TARGET
#define EK_VW 4
#define EK_MR 4
#include "KernelTemplate.h"
#undef EK_SUFFIX
#undef EK_TARGET
#undef EK_VW
#undef EK_MR

#if defined(__x86_64__)
#define EK_HAS_X86_VARIANTS 1

#define EK_SUFFIX avx2
#define EK_TARGET __attribute__((target("avx2,fma")))
#define EK_VW 8
#define EK_MR 6
#include "KernelTemplate.h"
#undef EK_SUFFIX
#undef EK_TARGET
#undef EK_VW
#undef EK_MR

#define EK_SUFFIX avx512
#define EK_TARGET __attribute__((target("avx512f,avx2,fma")))
#define EK_VW 16
#define EK_MR 12
#include "KernelTemplate.h"
#undef EK_SUFFIX
#undef EK_TARGET
#undef EK_VW
#undef EK_MR
#endif

ek_isa ek_detect_isa(void) {
#if defined(EK_HAS_X86_VARIANTS)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return EK_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return EK_ISA_AVX2_FMA;
#endif
    return EK_ISA_BASELINE;
}

// Calls the variant of `name` that `isa` selects; on CPUs without x86 variants every isa is baseline.
#if defined(EK_HAS_X86_VARIANTS)
#define EK_DISPATCH(name, ...)                                         \
    switch (isa) {                                                     \
    case EK_ISA_AVX512: return name##_avx512(__VA_ARGS__);             \
    case EK_ISA_AVX2_FMA: return name##_avx2(__VA_ARGS__);             \
    default: return name##_baseline(__VA_ARGS__);                      \
    }
#else
#define EK_DISPATCH(name, ...) (void)isa; return name##_baseline(__VA_ARGS__);
#endif

float ek_dot(ek_isa isa, const void *a, const void *b, size_t n) {
    EK_DISPATCH(dot, (const char *)a, (const char *)b, n)
}

float ek_sum_of_squares(ek_isa isa, const void *x, size_t n) {
    EK_DISPATCH(dot, (const char *)x, (const char *)x, n)
}

float ek_sum(ek_isa isa, const void *x, size_t n) { EK_DISPATCH(sum, (const char *)x, n) }

void ek_axpy(ek_isa isa, size_t n, float alpha, const void *x, float *y) {
    EK_DISPATCH(axpy, n, alpha, (const char *)x, y)
}

void ek_scale(ek_isa isa, size_t n, float alpha, float *x) { EK_DISPATCH(scale, n, alpha, x) }

void ek_relu(ek_isa isa, size_t n, float *x) { EK_DISPATCH(relu, n, x) }

void ek_sigmoid(ek_isa isa, size_t n, const float *x, float *y, int times_input) { EK_DISPATCH(sigmoid, n, x, y, times_input) }

void ek_softmax(ek_isa isa, size_t n, float *x) { EK_DISPATCH(softmax, n, x) }

void ek_gelu(ek_isa isa, size_t n, const float *x, float *y) { EK_DISPATCH(gelu, n, x, y) }
void ek_gelu_backward(ek_isa isa, size_t n, const float *x, const float *dy, float *dx) { EK_DISPATCH(gelu_backward, n, x, dy, dx) }

void ek_adam_step(ek_isa isa, size_t n, const float *gradient, float *m, float *v, float *w, float beta1, float beta2,
                  float step, float epsilon) {
    EK_DISPATCH(adam_step, n, gradient, m, v, w, beta1, beta2, step, epsilon)
}

void ek_relu_backward(ek_isa isa, size_t n, const float *activation, float *gradient) {
    EK_DISPATCH(relu_backward, n, activation, gradient)
}

void ek_clamp_backward(ek_isa isa, size_t n, const float *value, float lower, float upper, float *gradient) {
    EK_DISPATCH(clamp_backward, n, value, lower, upper, gradient)
}

void ek_multiply_elementwise(ek_isa isa, size_t n, const float *x, float *y) {
    EK_DISPATCH(multiply_elementwise, n, x, y)
}

void ek_gemv(ek_isa isa, size_t rows, size_t columns, const void *a, size_t lda, const float *x,
             float *y) {
    EK_DISPATCH(gemv, rows, columns, (const char *)a, lda, x, y)
}

void ek_gemv_transposed(ek_isa isa, size_t rows, size_t columns, const void *a, size_t lda,
                        const float *x, float *y) {
    EK_DISPATCH(gemv_transposed, rows, columns, (const char *)a, lda, x, y)
}

int ek_gemm(ek_isa isa, int transpose_a, int transpose_b, size_t m, size_t n, size_t k, float alpha,
            const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc) {
    EK_DISPATCH(gemm, transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, NULL, 0)
}

size_t ek_packed_a_count(ek_isa isa, size_t m, size_t k) { EK_DISPATCH(packed_a_count, m, k) }

void ek_pack_a_whole(ek_isa isa, size_t m, size_t k, const float *a, size_t lda, float *packed) {
    EK_DISPATCH(pack_a_whole, m, k, a, lda, packed)
}

size_t ek_panel_rows(ek_isa isa) { EK_DISPATCH(panel_rows) }

int ek_gemm_prepacked(ek_isa isa, int transpose_b, size_t m, size_t n, size_t k, const float *a, size_t lda, const float *packed_a,
                      size_t packed_rows, const float *b, size_t ldb, float beta, float *c, size_t ldc) {
    EK_DISPATCH(gemm, 0, transpose_b, m, n, k, 1, a, lda, b, ldb, beta, c, ldc, packed_a, packed_rows)
}

void ek_clamp(ek_isa isa, size_t n, float lower, float upper, float *x) { EK_DISPATCH(clamp, n, lower, upper, x) }

void ek_add_clamp(ek_isa isa, size_t n, float addend, float lower, float upper, float *x) {
    EK_DISPATCH(add_clamp, n, addend, lower, upper, x)
}

size_t ek_depthwise_scratch_count(const ek_window *window, size_t output_height, size_t output_width) {
    long padded_height = ek_padded_extent((long)output_height, (long)window->stride_y, (long)window->kernel_height, (long)window->dilation_y);
    long padded_width = ek_padded_extent((long)output_width, (long)window->stride_x, (long)window->kernel_width, (long)window->dilation_x);
    long stride = (long)window->stride_x;
    return (size_t)(padded_height * ((padded_width + stride - 1) / stride) * stride);
}

void ek_depthwise_map(ek_isa isa, const float *input, size_t height, size_t width, const float *filter, const ek_window *window,
                      float bias, float lower, float upper, float *output, size_t output_height, size_t output_width,
                      float *scratch) {
    EK_DISPATCH(depthwise_map, input, height, width, filter, window, bias, lower, upper, output, output_height, output_width, scratch)
}

double ek_fma_peak_loop(ek_isa isa, size_t iterations, float *sink) {
    EK_DISPATCH(fma_peak_loop, iterations, sink)
}
