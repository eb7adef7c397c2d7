// One instruction set's kernels. Kernels.c includes this file once per instruction set, with:
//   EK_SUFFIX  name suffix of this variant (baseline, avx2, avx512)
//   EK_TARGET  the function attributes that select the instruction set (may be empty)
//   EK_VW      floats per vector register
//   EK_MR      rows of the GEMM micro-tile (its columns are two vectors, 2 * EK_VW)
// Vectors are clang extended vectors, so the one source compiles to SSE2/NEON, AVX2 or AVX-512.
// `acc += x * y` is contracted to a fused multiply-add where the target has one.

#define EK_NAME2(name, suffix) name##_##suffix
#define EK_NAME1(name, suffix) EK_NAME2(name, suffix)
#define EK_FN(name) EK_NAME1(name, EK_SUFFIX)
#define EK_NR (2 * EK_VW)

typedef float EK_FN(vec) __attribute__((ext_vector_type(EK_VW)));
typedef int EK_FN(ivec) __attribute__((ext_vector_type(EK_VW)));
#define VEC EK_FN(vec)
#define IVEC EK_FN(ivec)

EK_TARGET static inline VEC EK_FN(load)(const char *p) {
    VEC v;
    memcpy(&v, p, sizeof v);
    return v;
}

EK_TARGET static inline void EK_FN(store)(float *p, VEC v) { memcpy(p, &v, sizeof v); }

EK_TARGET static inline float EK_FN(horizontal_sum)(VEC v) {
#if EK_VW == 16
    ek_vec8 h8 = v.lo + v.hi;
    ek_vec4 h4 = h8.lo + h8.hi;
#elif EK_VW == 8
    ek_vec4 h4 = v.lo + v.hi;
#else
    ek_vec4 h4 = v;
#endif
    return (h4.x + h4.z) + (h4.y + h4.w);
}

EK_TARGET static float EK_FN(dot)(const char *a, const char *b, size_t n) {
    VEC s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 * EK_VW <= n; i += 4 * EK_VW) {
        s0 += EK_FN(load)(a + 4 * i) * EK_FN(load)(b + 4 * i);
        s1 += EK_FN(load)(a + 4 * (i + EK_VW)) * EK_FN(load)(b + 4 * (i + EK_VW));
        s2 += EK_FN(load)(a + 4 * (i + 2 * EK_VW)) * EK_FN(load)(b + 4 * (i + 2 * EK_VW));
        s3 += EK_FN(load)(a + 4 * (i + 3 * EK_VW)) * EK_FN(load)(b + 4 * (i + 3 * EK_VW));
    }
    for (; i + EK_VW <= n; i += EK_VW) s0 += EK_FN(load)(a + 4 * i) * EK_FN(load)(b + 4 * i);
    float s = EK_FN(horizontal_sum)((s0 + s1) + (s2 + s3));
    for (; i + 4 <= n; i += 4) s += ek_dot4(a + 4 * i, b + 4 * i);
    for (; i < n; i++) s += ek_load_scalar(a + 4 * i) * ek_load_scalar(b + 4 * i);
    return s;
}

EK_TARGET static float EK_FN(sum)(const char *x, size_t n) {
    VEC s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 * EK_VW <= n; i += 4 * EK_VW) {
        s0 += EK_FN(load)(x + 4 * i);
        s1 += EK_FN(load)(x + 4 * (i + EK_VW));
        s2 += EK_FN(load)(x + 4 * (i + 2 * EK_VW));
        s3 += EK_FN(load)(x + 4 * (i + 3 * EK_VW));
    }
    for (; i + EK_VW <= n; i += EK_VW) s0 += EK_FN(load)(x + 4 * i);
    float s = EK_FN(horizontal_sum)((s0 + s1) + (s2 + s3));
    for (; i < n; i++) s += ek_load_scalar(x + 4 * i);
    return s;
}

EK_TARGET static void EK_FN(axpy)(size_t n, float alpha, const char *x, float *y) {
    size_t i = 0;
    for (; i + EK_VW <= n; i += EK_VW) {
        EK_FN(store)(y + i, EK_FN(load)((const char *)(y + i)) + alpha * EK_FN(load)(x + 4 * i));
    }
    for (; i < n; i++) y[i] += alpha * ek_load_scalar(x + 4 * i);
}

EK_TARGET static void EK_FN(scale)(size_t n, float alpha, float *x) {
    size_t i = 0;
    for (; i + EK_VW <= n; i += EK_VW) EK_FN(store)(x + i, alpha * EK_FN(load)((const char *)(x + i)));
    for (; i < n; i++) x[i] *= alpha;
}

// e^x for every lane (Cephes' expf: x = n·ln 2 + r, a degree-6 polynomial for e^r, 2^n from the
// exponent bits), within 2 ulp of expf; x is clamped to [−87.3, 88.7], so the result stays finite
// and normal (0 and ∞ become 1.2e-38 and 3.4e38).
EK_TARGET static inline VEC EK_FN(exp)(VEC x) {
    x = (VEC)((IVEC)x & (x == x));  // NaN → 0 before clamping; the caller restores it
    VEC high = 88.3762626647949f, low = -87.3365447505531f;
    x = (VEC)(((IVEC)x & (x < high)) | ((IVEC)high & (x >= high)));
    x = (VEC)(((IVEC)x & (x > low)) | ((IVEC)low & (x <= low)));
    VEC t = x * 1.44269504088896341f + 0.5f;
    IVEC n = __builtin_convertvector(t, IVEC);
    n += (IVEC)(__builtin_convertvector(n, VEC) > t);  // truncation → floor (the mask is −1 where it rounded up)
    VEC nf = __builtin_convertvector(n, VEC);
    VEC r = x - nf * 0.693359375f - nf * -2.12194440e-4f;
    VEC p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    VEC y = p * r * r + r + 1.0f;
    return y * (VEC)((n + 127) << 23);
}

// σ(x) = 1 / (1 + e^−x) for every lane (0 below −88, where e^−x would pass the clamp); NaN stays NaN.
EK_TARGET static inline VEC EK_FN(sigmoid_lanes)(VEC x) {
    VEC s = (VEC)((IVEC)(1.0f / (1.0f + EK_FN(exp)(-x))) & (x > -88.0f));
    IVEC nan = x != x;
    return (VEC)(((IVEC)s & ~nan) | ((IVEC)x & nan));
}

// y[i] = σ(x[i]), or x[i]·σ(x[i]) (SiLU) with `times_input`; the tail through the same lanes, so a
// value's result does not depend on where a chunk starts.
EK_TARGET static void EK_FN(sigmoid)(size_t n, const float *x, float *y, int times_input) {
    size_t i = 0;
    for (; i + EK_VW <= n; i += EK_VW) {
        VEC v = EK_FN(load)((const char *)(x + i)), s = EK_FN(sigmoid_lanes)(v);
        EK_FN(store)(y + i, times_input ? v * s : s);
    }
    if (i < n) {
        float lanes[EK_VW] = {0};
        memcpy(lanes, x + i, (n - i) * sizeof(float));
        VEC v = EK_FN(load)((const char *)lanes), s = EK_FN(sigmoid_lanes)(v);
        EK_FN(store)(lanes, times_input ? v * s : s);
        memcpy(y + i, lanes, (n - i) * sizeof(float));
    }
}

// erf(t) for every lane as XLA computes it in single precision: t clamped to [−4, 4] (erf is ±1
// in float beyond), then t · P(t²) / Q(t²) with a degree-13 odd numerator and degree-8
// denominator — within 4.2e-7 of erf everywhere (NaN becomes 0: callers restore it).
EK_TARGET static inline VEC EK_FN(erf_lanes)(VEC t) {
    t = (VEC)(((IVEC)t & (t < 4.0f)) | ((IVEC)(VEC)4.0f & (t >= 4.0f)));
    t = (VEC)(((IVEC)t & (t > -4.0f)) | ((IVEC)(VEC)(-4.0f) & (t <= -4.0f)));
    VEC t2 = t * t;
    VEC p = -2.72614225801306e-10f;
    p = p * t2 + 2.77068142495902e-08f;
    p = p * t2 + -2.10102402082508e-06f;
    p = p * t2 + -5.69250639462346e-05f;
    p = p * t2 + -7.34990630326855e-04f;
    p = p * t2 + -2.95459980854025e-03f;
    p = p * t2 + -1.60960333262415e-02f;
    VEC q = -1.45660718464996e-05f;
    q = q * t2 + -2.13374055278905e-04f;
    q = q * t2 + -1.68282697438203e-03f;
    q = q * t2 + -7.37332916720468e-03f;
    q = q * t2 + -1.42647390514189e-02f;
    return t * p / q;
}

// `count` (≤ EK_VW) floats from `x` as a vector, the missing lanes 0.
EK_TARGET static inline VEC EK_FN(load_partial)(const float *x, size_t count) {
    if (count == EK_VW) return EK_FN(load)((const char *)x);
    float lanes[EK_VW] = {0};
    memcpy(lanes, x, count * sizeof(float));
    return EK_FN(load)((const char *)lanes);
}

// The first `count` (≤ EK_VW) lanes of `v` to `y`.
EK_TARGET static inline void EK_FN(store_partial)(float *y, VEC v, size_t count) {
    if (count == EK_VW) {
        EK_FN(store)(y, v);
    } else {
        float lanes[EK_VW];
        EK_FN(store)(lanes, v);
        memcpy(y, lanes, count * sizeof(float));
    }
}

// y[i] = x[i] · Φ(x[i]) = 0.5 · x · (1 + erf(x / √2)) (the exact GELU); NaN stays NaN.
EK_TARGET static void EK_FN(gelu)(size_t n, const float *x, float *y) {
    for (size_t i = 0; i < n; i += EK_VW) {
        size_t count = n - i < EK_VW ? n - i : EK_VW;
        VEC v = EK_FN(load_partial)(x + i, count);
        VEC result = 0.5f * v * (1.0f + EK_FN(erf_lanes)(v * 0.70710678118654752f));
        IVEC nan = v != v;
        EK_FN(store_partial)(y + i, (VEC)(((IVEC)result & ~nan) | ((IVEC)v & nan)), count);
    }
}

// dx[i] = dy[i] · (Φ(x[i]) + x[i] · φ(x[i])), the exact GELU's gradient (φ the normal density,
// its term 0 where |x| ≥ 10, where it is below float's resolution); NaN in x stays NaN.
EK_TARGET static void EK_FN(gelu_backward)(size_t n, const float *x, const float *dy, float *dx) {
    for (size_t i = 0; i < n; i += EK_VW) {
        size_t count = n - i < EK_VW ? n - i : EK_VW;
        VEC v = EK_FN(load_partial)(x + i, count), g = EK_FN(load_partial)(dy + i, count);
        VEC cdf = 0.5f * (1.0f + EK_FN(erf_lanes)(v * 0.70710678118654752f));
        VEC density = v * EK_FN(exp)(-0.5f * v * v) * 0.39894228040143268f;
        density = (VEC)((IVEC)density & ((v < 10.0f) & (v > -10.0f)));
        VEC result = g * (cdf + density);
        IVEC nan = v != v;
        EK_FN(store_partial)(dx + i, (VEC)(((IVEC)result & ~nan) | ((IVEC)v & nan)), count);
    }
}

// x ← softmax(x) over one row: the maximum and the sum of e^(x − max) in vector lanes (exp as
// above), terms below e^−87 made exactly 0 — a masked score must not leave a denormal that slows
// every product it enters; a row holding NaN, or all −∞, becomes NaN as PyTorch's does.
EK_TARGET static void EK_FN(softmax)(size_t n, float *x) {
    if (n == 0) return;
    VEC top = -__builtin_inff(), nan = 0;
    size_t i = 0;
    for (; i + EK_VW <= n; i += EK_VW) {
        VEC v = EK_FN(load)((const char *)(x + i));
        top = (VEC)(((IVEC)v & (v > top)) | ((IVEC)top & ~(v > top)));
        nan += (VEC)((IVEC)(VEC)1.0f & (v != v));
    }
    float maximum = -__builtin_inff(), nans = EK_FN(horizontal_sum)(nan);
    for (size_t lane = 0; lane < EK_VW; lane++) maximum = top[lane] > maximum ? top[lane] : maximum;
    for (; i < n; i++) {
        if (x[i] != x[i]) nans += 1;
        maximum = x[i] > maximum ? x[i] : maximum;
    }
    if (nans > 0 || !(maximum > -__builtin_inff() && maximum < __builtin_inff())) {
        // NaN or an infinite maximum: expf as written gives NaN where PyTorch and ONNX do (a fully masked row).
        float total = 0;
        for (i = 0; i < n; i++) total += x[i] = expf(x[i] - maximum);
        for (i = 0; i < n; i++) x[i] /= total;
        return;
    }
    VEC sum = 0;
    for (i = 0; i + EK_VW <= n; i += EK_VW) {
        VEC shifted = EK_FN(load)((const char *)(x + i)) - maximum;
        VEC e = (VEC)((IVEC)EK_FN(exp)(shifted) & (shifted > -87.0f));
        EK_FN(store)(x + i, e);
        sum += e;
    }
    if (i < n) {
        float lanes[EK_VW];
        for (size_t lane = 0; lane < EK_VW; lane++) lanes[lane] = i + lane < n ? x[i + lane] - maximum : -__builtin_inff();
        VEC shifted = EK_FN(load)((const char *)lanes);
        VEC e = (VEC)((IVEC)EK_FN(exp)(shifted) & (shifted > -87.0f));
        EK_FN(store)(lanes, e);
        memcpy(x + i, lanes, (n - i) * sizeof(float));
        sum += e;
    }
    VEC scale = 1.0f / EK_FN(horizontal_sum)(sum);
    for (i = 0; i + EK_VW <= n; i += EK_VW) EK_FN(store)(x + i, EK_FN(load)((const char *)(x + i)) * scale);
    for (; i < n; i++) x[i] *= scale[0];
}

EK_TARGET static void EK_FN(relu)(size_t n, float *x) {
    size_t i = 0;
    for (; i + EK_VW <= n; i += EK_VW) {
        VEC v = EK_FN(load)((const char *)(x + i));
        EK_FN(store)(x + i, (VEC)((IVEC)v & (v > (VEC)0)));
    }
    for (; i < n; i++) x[i] = x[i] > 0 ? x[i] : 0;
}

EK_TARGET static void EK_FN(relu_backward)(size_t n, const float *activation, float *gradient) {
    size_t i = 0;
    for (; i + EK_VW <= n; i += EK_VW) {
        VEC a = EK_FN(load)((const char *)(activation + i)), g = EK_FN(load)((const char *)(gradient + i));
        EK_FN(store)(gradient + i, (VEC)((IVEC)g & (a > (VEC)0)));
    }
    for (; i < n; i++) gradient[i] = activation[i] > 0 ? gradient[i] : 0;
}

EK_TARGET static void EK_FN(clamp_backward)(size_t n, const float *value, float lower, float upper, float *gradient) {
    size_t i = 0;
    for (; i + EK_VW <= n; i += EK_VW) {
        VEC v = EK_FN(load)((const char *)(value + i)), g = EK_FN(load)((const char *)(gradient + i));
        EK_FN(store)(gradient + i, (VEC)((IVEC)g & (v > lower) & (v < upper)));
    }
    for (; i < n; i++) gradient[i] = value[i] > lower && value[i] < upper ? gradient[i] : 0;
}

EK_TARGET static void EK_FN(multiply_elementwise)(size_t n, const float *x, float *y) {
    size_t i = 0;
    for (; i + EK_VW <= n; i += EK_VW) {
        EK_FN(store)(y + i, EK_FN(load)((const char *)(y + i)) * EK_FN(load)((const char *)(x + i)));
    }
    for (; i < n; i++) y[i] *= x[i];
}

EK_TARGET static void EK_FN(adam_step)(size_t n, const float *gradient, float *m, float *v, float *w,
                                       float beta1, float beta2, float step, float epsilon) {
    size_t i = 0;
    for (; i + EK_VW <= n; i += EK_VW) {
        VEC g = EK_FN(load)((const char *)(gradient + i));
        VEC mi = beta1 * EK_FN(load)((const char *)(m + i)) + (1 - beta1) * g;
        VEC vi = beta2 * EK_FN(load)((const char *)(v + i)) + (1 - beta2) * g * g;
        EK_FN(store)(m + i, mi);
        EK_FN(store)(v + i, vi);
        EK_FN(store)(w + i, EK_FN(load)((const char *)(w + i)) - step * mi / (__builtin_elementwise_sqrt(vi) + epsilon));
    }
    for (; i < n; i++) {
        m[i] = beta1 * m[i] + (1 - beta1) * gradient[i];
        v[i] = beta2 * v[i] + (1 - beta2) * gradient[i] * gradient[i];
        w[i] -= step * m[i] / (sqrtf(v[i]) + epsilon);
    }
}

EK_TARGET static void EK_FN(gemv)(size_t rows, size_t columns, const char *a, size_t lda,
                                  const float *x, float *y) {
    for (size_t i = 0; i < rows; i++) y[i] = EK_FN(dot)(a + 4 * i * lda, (const char *)x, columns);
}

EK_TARGET static void EK_FN(gemv_transposed)(size_t rows, size_t columns, const char *a, size_t lda,
                                             const float *x, float *y) {
    memset(y, 0, columns * sizeof(float));
    for (size_t i = 0; i < rows; i++) EK_FN(axpy)(columns, x[i], a + 4 * i * lda, y);
}

// GEMM: the Goto/BLIS scheme. op(B) is packed into column panels of EK_NR, op(A) (times alpha)
// into row panels of EK_MR, both zero-padded; a register-blocked micro-kernel multiplies one
// panel pair into an EK_MR × EK_NR tile of C, of which it writes the `mr` × `nr` that exist.

EK_TARGET static void EK_FN(micro_kernel)(size_t kc, const float *ap, const float *bp, float *c, size_t ldc,
                                          size_t mr, size_t nr, int overwrite) {
    VEC acc0[EK_MR], acc1[EK_MR];
#pragma clang loop unroll(full)
    for (int r = 0; r < EK_MR; r++) { acc0[r] = 0; acc1[r] = 0; }
    for (size_t p = 0; p < kc; p++) {
        VEC b0 = EK_FN(load)((const char *)bp), b1 = EK_FN(load)((const char *)(bp + EK_VW));
#pragma clang loop unroll(full)
        for (int r = 0; r < EK_MR; r++) {
            acc0[r] += ap[r] * b0;
            acc1[r] += ap[r] * b1;
        }
        ap += EK_MR;
        bp += EK_NR;
    }
    if (mr == EK_MR && nr == EK_NR) {
#pragma clang loop unroll(full)
        for (int r = 0; r < EK_MR; r++) {
            float *row = c + r * ldc;
            VEC old0 = overwrite ? (VEC)0 : EK_FN(load)((const char *)row);
            VEC old1 = overwrite ? (VEC)0 : EK_FN(load)((const char *)(row + EK_VW));
            EK_FN(store)(row, old0 + acc0[r]);
            EK_FN(store)(row + EK_VW, old1 + acc1[r]);
        }
        return;
    }
    // An edge tile: the rows and columns past the matrix are dropped.
    float tile[EK_NR];
    for (size_t r = 0; r < mr; r++) {
        float *row = c + r * ldc;
        EK_FN(store)(tile, acc0[r]);
        EK_FN(store)(tile + EK_VW, acc1[r]);
        for (size_t j = 0; j < nr; j++) row[j] = overwrite ? tile[j] : row[j] + tile[j];
    }
}

/// C += alpha · op(A) · B one row of C at a time (C[i] += alpha · op(A)[i][p] · B[p] for each p):
/// for products with fewer rows than a micro-tile, where padding the tile would waste most of it.
EK_TARGET static void EK_FN(gemm_few_rows)(int ta, size_t m, size_t n, size_t k, float alpha, const float *a,
                                           size_t lda, const float *b, size_t ldb, float *c, size_t ldc) {
    for (size_t i = 0; i < m; i++) {
        for (size_t p = 0; p < k; p++) {
            float factor = alpha * (ta ? a[p * lda + i] : a[i * lda + p]);
            EK_FN(axpy)(n, factor, (const char *)(b + p * ldb), c + i * ldc);
        }
    }
}

/// `prepacked_a` (or NULL): A packed ahead of time by `pack_a_whole` — every k block's panels for
/// all its `packed_rows` rows — so a product with constant weights (a convolution's filters) skips
/// packing them per call.
EK_TARGET static int EK_FN(gemm)(int ta, int tb, size_t m, size_t n, size_t k, float alpha,
                                 const float *a, size_t lda, const float *b, size_t ldb,
                                 float beta, float *c, size_t ldc, const float *prepacked_a, size_t packed_rows) {
    enum { MR = EK_MR, NR = EK_NR, KC = EK_KC, MC = EK_MR * 16, NC = 2048 };
    if (m == 0 || n == 0) return 0;
    // A few output columns (a classifier's last layer): one dot product each beats packing.
    int few_columns = n < EK_VW / 2 && !ta && tb;
    int few_rows = m < MR / 2 && !tb;
    int packed = k > 0 && alpha != 0 && !few_columns && !few_rows;
    // C = beta · C first, except that the packed path folds beta == 0 into its first store.
    // With beta == 0, C is never read, so NaN in it does not propagate.
    if (beta == 0 && !packed) {
        for (size_t i = 0; i < m; i++) memset(c + i * ldc, 0, n * sizeof(float));
    } else if (beta != 0 && beta != 1) {
        ek_scale_matrix(m, n, beta, c, ldc);
    }
    if (k == 0 || alpha == 0) return 0;
    if (few_columns) {
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++)
                c[i * ldc + j] += alpha * EK_FN(dot)((const char *)(a + i * lda), (const char *)(b + j * ldb), k);
        return 0;
    }
    if (few_rows) {
        EK_FN(gemm_few_rows)(ta, m, n, k, alpha, a, lda, b, ldb, c, ldc);
        return 0;
    }
    int overwrite = beta == 0;

    // Workspaces sized to the problem, so small products stay in cache and cost no page faults.
    size_t kc_max = k < KC ? k : KC;
    size_t nc_max = (n < NC ? n : NC) + NR, mc_max = (m < MC ? m : MC) + MR;
    float *packed_b = ek_aligned_alloc(sizeof(float) * kc_max * nc_max);
    float *packed_a = prepacked_a ? NULL : ek_aligned_alloc(sizeof(float) * kc_max * mc_max);
    if (!packed_b || (!packed_a && !prepacked_a)) {
        free(packed_b);
        free(packed_a);
        return -1;
    }
    for (size_t jc = 0; jc < n; jc += NC) {
        size_t nc = n - jc < NC ? n - jc : NC;
        for (size_t pc = 0; pc < k; pc += KC) {
            size_t kc = k - pc < KC ? k - pc : KC;
            int first = overwrite && pc == 0;
            ek_pack_b(tb, b, ldb, pc, kc, jc, nc, NR, packed_b);
            for (size_t ic = 0; ic < m; ic += MC) {
                size_t mc = m - ic < MC ? m - ic : MC;
                const float *panels = packed_a;
                if (prepacked_a) {
                    panels = prepacked_a + packed_rows * pc + ic * kc;
                } else {
                    ek_pack_a(ta, a, lda, ic, mc, pc, kc, MR, alpha, packed_a);
                }
                for (size_t jr = 0; jr < nc; jr += NR) {
                    const float *bp = packed_b + jr * kc;
                    size_t nr = nc - jr < NR ? nc - jr : NR;
                    for (size_t ir = 0; ir < mc; ir += MR) {
                        size_t mr = mc - ir < MR ? mc - ir : MR;
                        EK_FN(micro_kernel)(kc, panels + ir * kc, bp, c + (ic + ir) * ldc + jc + jr, ldc, mr, nr, first);
                    }
                }
            }
        }
    }
    free(packed_b);
    free(packed_a);
    return 0;
}

/// The floats `pack_a_whole` writes for an m × k matrix: m rounded up to whole panels, times k.
static size_t EK_FN(packed_a_count)(size_t m, size_t k) { return (m + EK_MR - 1) / EK_MR * EK_MR * k; }

/// The panel height of this variant's packed A.
static size_t EK_FN(panel_rows)(void) { return EK_MR; }

/// Packs the whole m × k row-major A (alpha 1) in the layout `gemm` reads through `prepacked_a`.
static void EK_FN(pack_a_whole)(size_t m, size_t k, const float *a, size_t lda, float *out) {
    size_t rows = (m + EK_MR - 1) / EK_MR * EK_MR;
    for (size_t pc = 0; pc < k; pc += EK_KC) {
        size_t kc = k - pc < EK_KC ? k - pc : EK_KC;
        ek_pack_a(0, a, lda, 0, m, pc, kc, EK_MR, 1, out + rows * pc);
    }
}

EK_TARGET static void EK_FN(add_clamp)(size_t n, float addend, float lower, float upper, float *x) {
    size_t i = 0;
    for (; i + EK_VW <= n; i += EK_VW) {
        VEC v = EK_FN(load)((const char *)(x + i)) + addend;
        v = __builtin_elementwise_min(__builtin_elementwise_max(v, (VEC)lower), (VEC)upper);
        EK_FN(store)(x + i, v);
    }
    for (; i < n; i++) x[i] = fminf(fmaxf(x[i] + addend, lower), upper);
}

EK_TARGET static void EK_FN(clamp)(size_t n, float lower, float upper, float *x) { EK_FN(add_clamp)(n, 0, lower, upper, x); }

/// The output rows of a depthwise map from its padded, phase-split copy (see `depthwise_map`).
/// Always inlined, so the callers' constant kernel widths (3, 5) unroll the tap loops.
EK_TARGET static inline __attribute__((always_inline)) void EK_FN(depthwise_rows)(
    const float *scratch, long row_stride, const long *tap_index, const float *filter, long kh, const long kw, long sy, long dy,
    float bias, float *output, long oh, long ow) {
    for (long oy = 0; oy < oh; oy++) {
        float *out = output + oy * ow;
        long ox = 0;
        // Two vectors of columns at a time, each with two accumulators (even and odd kernel
        // rows), so four multiply-add chains run at once instead of one long dependent chain.
        for (; ox + 2 * EK_VW <= ow; ox += 2 * EK_VW) {
            VEC a0 = bias, a1 = 0, b0 = bias, b1 = 0;
            long ky = 0;
            for (; ky + 1 < kh; ky += 2) {
                const float *row0 = scratch + (oy * sy + ky * dy) * row_stride, *taps0 = filter + ky * kw;
                const float *row1 = row0 + dy * row_stride, *taps1 = taps0 + kw;
                for (long kx = 0; kx < kw; kx++) {
                    a0 += taps0[kx] * EK_FN(load)((const char *)(row0 + tap_index[kx] + ox));
                    b0 += taps0[kx] * EK_FN(load)((const char *)(row0 + tap_index[kx] + ox + EK_VW));
                    a1 += taps1[kx] * EK_FN(load)((const char *)(row1 + tap_index[kx] + ox));
                    b1 += taps1[kx] * EK_FN(load)((const char *)(row1 + tap_index[kx] + ox + EK_VW));
                }
            }
            for (; ky < kh; ky++) {
                const float *row = scratch + (oy * sy + ky * dy) * row_stride, *taps = filter + ky * kw;
                for (long kx = 0; kx < kw; kx++) {
                    a0 += taps[kx] * EK_FN(load)((const char *)(row + tap_index[kx] + ox));
                    b0 += taps[kx] * EK_FN(load)((const char *)(row + tap_index[kx] + ox + EK_VW));
                }
            }
            EK_FN(store)(out + ox, a0 + a1);
            EK_FN(store)(out + ox + EK_VW, b0 + b1);
        }
        for (; ox + EK_VW <= ow; ox += EK_VW) {
            VEC a0 = bias, a1 = 0;
            long ky = 0;
            for (; ky + 1 < kh; ky += 2) {
                const float *row0 = scratch + (oy * sy + ky * dy) * row_stride, *taps0 = filter + ky * kw;
                const float *row1 = row0 + dy * row_stride, *taps1 = taps0 + kw;
                for (long kx = 0; kx < kw; kx++) {
                    a0 += taps0[kx] * EK_FN(load)((const char *)(row0 + tap_index[kx] + ox));
                    a1 += taps1[kx] * EK_FN(load)((const char *)(row1 + tap_index[kx] + ox));
                }
            }
            for (; ky < kh; ky++) {
                const float *row = scratch + (oy * sy + ky * dy) * row_stride, *taps = filter + ky * kw;
                for (long kx = 0; kx < kw; kx++) a0 += taps[kx] * EK_FN(load)((const char *)(row + tap_index[kx] + ox));
            }
            EK_FN(store)(out + ox, a0 + a1);
        }
        // The last columns: one more vector ending at the last column (recomputing a few), or
        // four-wide vectors when the row is narrower than a vector, then single columns.
        if (ox < ow && ow >= EK_VW) {
            ox = ow - EK_VW;
            VEC sum = bias;
            for (long ky = 0; ky < kh; ky++) {
                const float *row = scratch + (oy * sy + ky * dy) * row_stride, *taps = filter + ky * kw;
                for (long kx = 0; kx < kw; kx++) sum += taps[kx] * EK_FN(load)((const char *)(row + tap_index[kx] + ox));
            }
            EK_FN(store)(out + ox, sum);
            ox = ow;
        }
        for (; ox < ow && ow >= 4; ox += 4) {
            if (ox + 4 > ow) ox = ow - 4;
            ek_vec4 sum = bias;
            for (long ky = 0; ky < kh; ky++) {
                const float *row = scratch + (oy * sy + ky * dy) * row_stride, *taps = filter + ky * kw;
                for (long kx = 0; kx < kw; kx++) {
                    ek_vec4 values;
                    memcpy(&values, row + tap_index[kx] + ox, sizeof values);
                    sum += taps[kx] * values;
                }
            }
            memcpy(out + ox, &sum, sizeof sum);
        }
        for (; ox < ow; ox++) {
            float sum = bias;
            for (long ky = 0; ky < kh; ky++) {
                const float *row = scratch + (oy * sy + ky * dy) * row_stride, *taps = filter + ky * kw;
                for (long kx = 0; kx < kw; kx++) sum += taps[kx] * row[tap_index[kx] + ox];
            }
            out[ox] = sum;
        }
    }
}

/// One map of a depthwise convolution: output[oy][ox] = bias + Σ filter[ky][kx] · input[iy][ix],
/// clamped to [lower, upper]. The map is first copied into `scratch` with its zero padding, each
/// padded row split into its stride_x phases (every stride_x-th value), so the taps of
/// consecutive output columns are contiguous: output columns then run as vectors, one load per
/// multiply-add, with no edge cases. `scratch` holds `ek_depthwise_scratch_count(…)` floats.
EK_TARGET static void EK_FN(depthwise_map)(const float *input, size_t height, size_t width, const float *filter,
                                           const ek_window *window, float bias, float lower, float upper,
                                           float *output, size_t output_height, size_t output_width, float *scratch) {
    const long h = (long)height, w = (long)width, kh = (long)window->kernel_height, kw = (long)window->kernel_width;
    const long sy = (long)window->stride_y, sx = (long)window->stride_x, dy = (long)window->dilation_y, dx = (long)window->dilation_x;
    const long pt = (long)window->pad_top, pl = (long)window->pad_left, oh = (long)output_height, ow = (long)output_width;
    const long padded_height = ek_padded_extent(oh, sy, kh, dy), padded_width = ek_padded_extent(ow, sx, kw, dx);
    const long phase_length = (padded_width + sx - 1) / sx, row_stride = phase_length * sx;
    // Padded column x = phase + j·sx reads input column x − pl: inside for j in [firsts[phase], lasts[phase]).
    long firsts[16], lasts[16];
    for (long phase = 0; phase < sx && phase < 16; phase++) {
        long first = phase >= pl ? 0 : (pl - phase + sx - 1) / sx;
        long last = w + pl - phase <= 0 ? 0 : (w + pl - phase + sx - 1) / sx;
        if (last > phase_length) last = phase_length;
        firsts[phase] = first > last ? last : first;
        lasts[phase] = last;
    }
    for (long y = 0; y < padded_height; y++) {
        float *row = scratch + y * row_stride;
        long iy = y - pt;
        if (iy < 0 || iy >= h) {
            memset(row, 0, (size_t)row_stride * sizeof(float));
            continue;
        }
        const float *source = input + iy * w;
        for (long phase = 0; phase < sx; phase++) {
            float *target = row + phase * phase_length;
            long first, last;
            if (phase < 16) {
                first = firsts[phase];
                last = lasts[phase];
            } else {
                first = phase >= pl ? 0 : (pl - phase + sx - 1) / sx;
                last = w + pl - phase <= 0 ? 0 : (w + pl - phase + sx - 1) / sx;
                if (last > phase_length) last = phase_length;
                if (first > last) first = last;
            }
            for (long j = 0; j < first; j++) target[j] = 0;
            if (sx == 1) {
                memcpy(target + first, source + first - pl, (size_t)(last - first) * sizeof(float));
            } else if (sx == 2) {
                const float *from = source + phase - pl;
                for (long j = first; j < last; j++) target[j] = from[2 * j];
            } else {
                for (long j = first; j < last; j++) target[j] = source[phase + j * sx - pl];
            }
            for (long j = last; j < phase_length; j++) target[j] = 0;
        }
    }
    // Where tap kx of output column ox is in a padded row: tap_index[kx] + ox.
    long tap_index[64];
    const long indexed = kw < 64 ? kw : 64;
    for (long kx = 0; kx < indexed; kx++) tap_index[kx] = ((kx * dx) % sx) * phase_length + (kx * dx) / sx;
    if (kw > 64) {
        for (long oy = 0; oy < oh; oy++) {
            for (long ox = 0; ox < ow; ox++) {
                float sum = bias;
                for (long ky = 0; ky < kh; ky++) {
                    const float *row = scratch + (oy * sy + ky * dy) * row_stride;
                    for (long kx = 0; kx < kw; kx++) sum += filter[ky * kw + kx] * row[((kx * dx) % sx) * phase_length + (kx * dx) / sx + ox];
                }
                output[oy * ow + ox] = sum;
            }
        }
        EK_FN(clamp)(output_height * output_width, lower, upper, output);
        return;
    }
    if (kw == 3) {
        EK_FN(depthwise_rows)(scratch, row_stride, tap_index, filter, kh, 3, sy, dy, bias, output, oh, ow);
    } else if (kw == 5) {
        EK_FN(depthwise_rows)(scratch, row_stride, tap_index, filter, kh, 5, sy, dy, bias, output, oh, ow);
    } else {
        EK_FN(depthwise_rows)(scratch, row_stride, tap_index, filter, kh, kw, sy, dy, bias, output, oh, ow);
    }
    EK_FN(clamp)(output_height * output_width, lower, upper, output);
}

EK_TARGET static double EK_FN(fma_peak_loop)(size_t iterations, float *sink) {
    enum { CHAINS = 12 };
    VEC acc[CHAINS];
    VEC factor = 0.999999f, term = 1e-7f;
#pragma clang loop unroll(full)
    for (int r = 0; r < CHAINS; r++) acc[r] = (float)r;
    for (size_t it = 0; it < iterations; it++) {
#pragma clang loop unroll(full)
        for (int r = 0; r < CHAINS; r++) acc[r] = acc[r] * factor + term;
    }
    VEC total = 0;
#pragma clang loop unroll(full)
    for (int r = 0; r < CHAINS; r++) total += acc[r];
    *sink = EK_FN(horizontal_sum)(total);
    return 2.0 * CHAINS * EK_VW * (double)iterations;
}

#undef VEC
#undef IVEC
#undef EK_NR
#undef EK_FN
#undef EK_NAME1
#undef EK_NAME2
