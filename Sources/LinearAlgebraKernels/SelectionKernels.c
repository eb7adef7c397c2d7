// The first filter of a top-k similarity scan: which rows of a block can beat the current k-th
// score. Portable C and an AVX2 variant (eight rows per comparison).
#include "LinearAlgebraKernels.h"

#include <math.h>
#include <stdint.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/// Whether row i passes: its dot product clears threshold · norm (less a relative 1e-6 for
/// rounding), or its norm lies outside [1e-18, 1e18] (scored exactly by the caller).
static inline int ek_passes(float dot, float norm, float threshold) {
    float bar = threshold * norm;
    return dot >= bar - fabsf(bar) * 1e-6f || !(norm >= 1e-18f && norm <= 1e18f);
}

static size_t ek_select_baseline(size_t n, const float *dots, const float *norms, float threshold, uint32_t *indices) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (ek_passes(dots[i], norms[i], threshold)) indices[count++] = (uint32_t)i;
    }
    return count;
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static size_t ek_select_avx2(size_t n, const float *dots, const float *norms, float threshold, uint32_t *indices) {
    size_t count = 0, i = 0;
    const __m256 t = _mm256_set1_ps(threshold), slack = _mm256_set1_ps(1e-6f), sign = _mm256_set1_ps(-0.0f);
    const __m256 low = _mm256_set1_ps(1e-18f), high = _mm256_set1_ps(1e18f);
    for (; i + 8 <= n; i += 8) {
        __m256 norm = _mm256_loadu_ps(norms + i), bar = _mm256_mul_ps(t, norm);
        __m256 limit = _mm256_sub_ps(bar, _mm256_mul_ps(_mm256_andnot_ps(sign, bar), slack));
        __m256 clears = _mm256_cmp_ps(_mm256_loadu_ps(dots + i), limit, _CMP_GE_OQ);
        __m256 ordinary = _mm256_and_ps(_mm256_cmp_ps(norm, low, _CMP_GE_OQ), _mm256_cmp_ps(norm, high, _CMP_LE_OQ));
        unsigned mask = (unsigned)_mm256_movemask_ps(_mm256_or_ps(clears, _mm256_xor_ps(ordinary, _mm256_castsi256_ps(_mm256_set1_epi32(-1)))));
        while (mask) {
            indices[count++] = (uint32_t)(i + (size_t)__builtin_ctz(mask));
            mask &= mask - 1;
        }
    }
    for (; i < n; i++) {
        if (ek_passes(dots[i], norms[i], threshold)) indices[count++] = (uint32_t)i;
    }
    return count;
}
#endif

size_t ek_select_candidates(ek_isa isa, size_t n, const float *dots, const float *norms, float threshold, uint32_t *indices) {
#if defined(__x86_64__)
    if (isa != EK_ISA_BASELINE) return ek_select_avx2(n, dots, norms, threshold, indices);
#endif
    (void)isa;
    return ek_select_baseline(n, dots, norms, threshold, indices);
}
