/* The dense convolution's inner work on 64-bit ARM (AArch64 NEON with the dot-product extension,
 * Armv8.2-A `sdot`/`udot`: Cortex-A55/A76 and later) for the kernel of `JOULE_ARM_NEON` builds
 * (`../DenseConvolutionNEON.swift`), as static inline functions Swift compiles into JouleCore.
 * The dot-product functions carry `target("dotprod")`, so that one binary built for generic
 * armv8-a contains them and calls them only where `joule_neon_dot_available()` says the CPU has
 * the instructions (Linux: `getauxval(AT_HWCAP) & HWCAP_ASIMDDP`, as XNNPACK's cpuinfo asks).
 * Where the compiler does not target AArch64 (a host build of the same kernel, for its tests)
 * every function computes the same results in plain C and `joule_neon_dot_available()` is 1.
 * Header only; no allocation; the one library call is `getauxval`, declared weak (absent on
 * bare metal: no dot product assumed; a fully static glibc link must pull it in, e.g.
 * `-Wl,--undefined=getauxval`, or the plain block runs). */
#ifndef JOULE_NEON_H
#define JOULE_NEON_H

#include <stdint.h>

#if defined(__aarch64__)
#include <arm_neon.h>
#define JOULE_NEON_NATIVE 1
#define JOULE_NEON_DOT __attribute__((target("dotprod")))  /* clang's spelling: compile with clang */
#else
#define JOULE_NEON_NATIVE 0
#define JOULE_NEON_DOT
#endif
#define JOULE_NEON_INLINE static inline __attribute__((always_inline))

/* The widest window (kernel taps per row) the plain NEON block takes (`joule_neon_dense_block_plain`). */
#define JOULE_NEON_PLAIN_TAPS 17

/* One block of the dense convolution: 4 output pixels × one tile of 16 output channels.
 * - `origin`: the channels-last input (`DenseScratch.input`: pixels of `channels` bytes, a
 *   multiple of 4, 4-byte aligned) at pixel 0's top-left tap; pixels 1…3 at `off1…off3` bytes
 *   from it (a partial block repeats its last pixel: computed, not stored).
 * - `weights`: the tile interleaved as `DenseScratch.weights` lays it — group g (input channels
 *   4g…4g+3), tap t at byte `(g · kernel_h · kernel_w + t) · 64`, output channel q's four
 *   weights at `4q` of those 64 bytes (int8) — exactly the lanes of `sdot v.4s, w.16b, x.16b`.
 * - `mask`: `words` UInt64, bit g set for the groups to visit (the others hold only zeros here).
 * - `row_stride`: bytes from one kernel row to the next in the input.
 * - `thresholds`: the layer's channel-ordered code thresholds at the tile's first channel,
 *   θ_n at `(n − 1) · out_c` (`Requantize.fillCodeThresholds`), non-decreasing in n,
 *   `1 ≤ timesteps ≤ 15`.
 * - `output`: the CHW output at the tile's first channel and the block's first pixel; channel c
 *   of the tile at `c · plane`; the first `pixels` (1…4) pixels are stored, as codes
 *   `T − #{n : sum < θ_n}`. */
typedef struct joule_neon_block {
    const uint8_t *origin;
    int64_t off1, off2, off3;
    const int8_t *weights;
    const uint64_t *mask;
    int64_t words;
    int64_t kernel_h, kernel_w, channels, row_stride;
    const int32_t *thresholds;
    int64_t out_c, timesteps;
    uint8_t *output;
    int64_t plane, pixels;
} joule_neon_block;

#if JOULE_NEON_NATIVE
extern unsigned long getauxval(unsigned long type) __attribute__((weak));
#define JOULE_NEON_AT_HWCAP 16UL
#define JOULE_NEON_HWCAP_ASIMDDP (1UL << 20)
#endif

/* 1 where the dot-product functions below may run: the CPU has `sdot`/`udot` (AArch64), or
 * this is the plain C fallback (other hosts). 0 on AArch64 CPUs without the extension
 * (Cortex-A53/A72) and where the C library has no `getauxval`. */
static inline int32_t joule_neon_dot_available(void) {
#if JOULE_NEON_NATIVE
    static int32_t known = -1;  /* the answer, once asked; relaxed atomics: any thread may ask first */
    int32_t k = __atomic_load_n(&known, __ATOMIC_RELAXED);
    if (k < 0) {
        k = (getauxval && (getauxval(JOULE_NEON_AT_HWCAP) & JOULE_NEON_HWCAP_ASIMDDP)) ? 1 : 0;
        __atomic_store_n(&known, k, __ATOMIC_RELAXED);
    }
    return k;
#else
    return 1;
#endif
}

/* 1 where the functions use NEON instructions, 0 where they run the plain C fallback. */
static inline int32_t joule_neon_native(void) { return JOULE_NEON_NATIVE; }

#if JOULE_NEON_NATIVE
/* The 4 bytes at `p` (any alignment) in every 32-bit lane. */
JOULE_NEON_INLINE uint32x4_t joule_neon_dup4(const uint8_t *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return vdupq_n_u32(v);
}

/* Codes of 4 pixels × 4 channels (`s0…s3`: pixel p's sums of channels 4j…4j+3) stored as the
 * block's contract says, the 4 pixels of a channel as one 32-bit word (byte p = pixel p). */
JOULE_NEON_INLINE void joule_neon_codes4(int32x4_t s0, int32x4_t s1, int32x4_t s2, int32x4_t s3,
                                         const joule_neon_block *b, int64_t j) {
    const int32_t *th = b->thresholds + 4 * j;
    const uint32x4_t top = vdupq_n_u32((uint32_t)b->timesteps);
    /* Every sum below θ_1 (the common case of sparse outputs): 16 codes 0, no threshold walk. */
    const int32x4_t t1 = vld1q_s32(th);
    const uint32x4_t m0 = vcltq_s32(s0, t1), m1 = vcltq_s32(s1, t1), m2 = vcltq_s32(s2, t1), m3 = vcltq_s32(s3, t1);
    uint8_t *out = b->output + 4 * j * b->plane;
    if (vminvq_u32(vandq_u32(vandq_u32(m0, m1), vandq_u32(m2, m3))) != 0) {
        const uint32_t zero = 0;
        for (int64_t c = 0; c < 4; c++) {
            if (b->pixels == 4) __builtin_memcpy(out + c * b->plane, &zero, 4);
            else for (int64_t p = 0; p < b->pixels; p++) out[c * b->plane + p] = 0;
        }
        return;
    }
    uint32x4_t c0 = vaddq_u32(top, m0), c1 = vaddq_u32(top, m1), c2 = vaddq_u32(top, m2), c3 = vaddq_u32(top, m3);
    for (int64_t n = 1; n < b->timesteps; n++) {
        const int32x4_t t = vld1q_s32(th + n * b->out_c);
        c0 = vaddq_u32(c0, vcltq_s32(s0, t));  /* −1 where the sum misses θ_{n+1} */
        c1 = vaddq_u32(c1, vcltq_s32(s1, t));
        c2 = vaddq_u32(c2, vcltq_s32(s2, t));
        c3 = vaddq_u32(c3, vcltq_s32(s3, t));
    }
    uint32x4_t w = vsliq_n_u32(c0, c1, 8);
    w = vsliq_n_u32(w, c2, 16);
    w = vsliq_n_u32(w, c3, 24);
    if (b->pixels == 4) {
        uint32_t v0 = vgetq_lane_u32(w, 0), v1 = vgetq_lane_u32(w, 1);
        uint32_t v2 = vgetq_lane_u32(w, 2), v3 = vgetq_lane_u32(w, 3);
        __builtin_memcpy(out, &v0, 4);
        __builtin_memcpy(out + b->plane, &v1, 4);
        __builtin_memcpy(out + 2 * b->plane, &v2, 4);
        __builtin_memcpy(out + 3 * b->plane, &v3, 4);
    } else {
        uint32_t v[4];
        vst1q_u32(v, w);
        for (int64_t c = 0; c < 4; c++)
            for (int64_t p = 0; p < b->pixels; p++) out[c * b->plane + p] = (uint8_t)(v[c] >> (8 * p));
    }
}

/* The block's 16 accumulators as named variables (pixel p, channels 4j…4j+3 in `a<p><j>`), so
 * that they stay in registers whatever the compiler unrolls. */
#define JOULE_NEON_ACCUMULATORS(type, init)                                                          \
    type a00 = init, a01 = init, a02 = init, a03 = init, a10 = init, a11 = init, a12 = init, a13 = init, \
         a20 = init, a21 = init, a22 = init, a23 = init, a30 = init, a31 = init, a32 = init, a33 = init

/* One tap: the 4 weight vectors at `w` (`v0…v3`: channels 4j…4j+3) against the 4 pixels' input
 * groups broadcast (`x0…x3`), by `op` (`vdotq_s32` or `vdotq_u32`). */
#define JOULE_NEON_TAP(op, v, x0, x1, x2, x3)                                                       \
    do {                                                                                            \
        a00 = op(a00, v.val[0], x0); a01 = op(a01, v.val[1], x0);                                   \
        a02 = op(a02, v.val[2], x0); a03 = op(a03, v.val[3], x0);                                   \
        a10 = op(a10, v.val[0], x1); a11 = op(a11, v.val[1], x1);                                   \
        a12 = op(a12, v.val[2], x1); a13 = op(a13, v.val[3], x1);                                   \
        a20 = op(a20, v.val[0], x2); a21 = op(a21, v.val[1], x2);                                   \
        a22 = op(a22, v.val[2], x2); a23 = op(a23, v.val[3], x2);                                   \
        a30 = op(a30, v.val[0], x3); a31 = op(a31, v.val[1], x3);                                   \
        a32 = op(a32, v.val[2], x3); a33 = op(a33, v.val[3], x3);                                   \
    } while (0)

/* The 16 sums as codes (`joule_neon_codes4` per 4 channels). */
#define JOULE_NEON_STORE(b, s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33) \
    do {                                                                                            \
        joule_neon_codes4(s00, s10, s20, s30, b, 0);                                                \
        joule_neon_codes4(s01, s11, s21, s31, b, 1);                                                \
        joule_neon_codes4(s02, s12, s22, s32, b, 2);                                                \
        joule_neon_codes4(s03, s13, s23, s33, b, 3);                                                \
    } while (0)

/* The block's walk: every group set in the mask, its taps row by row, `kw` taps a row (a
 * constant where the caller passes one), the tap's weights in `v` and the pixels' input groups
 * broadcast in `x0…x3`; the code after `kw` uses them. */
#define JOULE_NEON_WALK(b, kw, ...)                                                                 \
    do {                                                                                            \
        const int64_t group_bytes_ = (b)->kernel_h * (kw) * 64;                                     \
        for (int64_t word_ = 0; word_ < (b)->words; word_++) {                                      \
            uint64_t m_ = (b)->mask[word_];                                                         \
            while (m_) {                                                                            \
                const int64_t g_ = word_ * 64 + __builtin_ctzll(m_);                                \
                m_ &= m_ - 1;                                                                       \
                const uint8_t *line_ = (b)->origin + 4 * g_;                                        \
                const int8_t *w_ = (b)->weights + g_ * group_bytes_;                                \
                for (int64_t ky_ = 0; ky_ < (b)->kernel_h; ky_++, line_ += (b)->row_stride) {       \
                    for (int64_t kx_ = 0; kx_ < (kw); kx_++, w_ += 64) {                            \
                        const uint8_t *p_ = line_ + kx_ * (b)->channels;                            \
                        const uint32x4_t x0 = joule_neon_dup4(p_);                  \
                        const uint32x4_t x1 = joule_neon_dup4(p_ + (b)->off1);    \
                        const uint32x4_t x2 = joule_neon_dup4(p_ + (b)->off2);    \
                        const uint32x4_t x3 = joule_neon_dup4(p_ + (b)->off3);    \
                        __VA_ARGS__                                                                 \
                    }                                                                               \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    } while (0)

#define JOULE_NEON_SIGNED_BODY                                                                      \
    {                                                                                               \
        const int8x16x4_t v = vld1q_s8_x4(w_);                                                      \
        JOULE_NEON_TAP(vdotq_s32, v, vreinterpretq_s8_u32(x0), vreinterpretq_s8_u32(x1),            \
                       vreinterpretq_s8_u32(x2), vreinterpretq_s8_u32(x3));                         \
    }

/* One tap of two groups g, g + 1: their weight vectors `v` and `u`, each pixel's 8 input bytes
 * (both groups) in `x0…x3`, lane 0 against `v`, lane 1 against `u` (`sdot` by element). */
#define JOULE_NEON_TAP_PAIR(v, u, x0, x1, x2, x3)                                                   \
    do {                                                                                            \
        a00 = vdotq_lane_s32(a00, v.val[0], x0, 0); a01 = vdotq_lane_s32(a01, v.val[1], x0, 0);     \
        a02 = vdotq_lane_s32(a02, v.val[2], x0, 0); a03 = vdotq_lane_s32(a03, v.val[3], x0, 0);     \
        a10 = vdotq_lane_s32(a10, v.val[0], x1, 0); a11 = vdotq_lane_s32(a11, v.val[1], x1, 0);     \
        a12 = vdotq_lane_s32(a12, v.val[2], x1, 0); a13 = vdotq_lane_s32(a13, v.val[3], x1, 0);     \
        a20 = vdotq_lane_s32(a20, v.val[0], x2, 0); a21 = vdotq_lane_s32(a21, v.val[1], x2, 0);     \
        a22 = vdotq_lane_s32(a22, v.val[2], x2, 0); a23 = vdotq_lane_s32(a23, v.val[3], x2, 0);     \
        a30 = vdotq_lane_s32(a30, v.val[0], x3, 0); a31 = vdotq_lane_s32(a31, v.val[1], x3, 0);     \
        a32 = vdotq_lane_s32(a32, v.val[2], x3, 0); a33 = vdotq_lane_s32(a33, v.val[3], x3, 0);     \
        a00 = vdotq_lane_s32(a00, u.val[0], x0, 1); a01 = vdotq_lane_s32(a01, u.val[1], x0, 1);     \
        a02 = vdotq_lane_s32(a02, u.val[2], x0, 1); a03 = vdotq_lane_s32(a03, u.val[3], x0, 1);     \
        a10 = vdotq_lane_s32(a10, u.val[0], x1, 1); a11 = vdotq_lane_s32(a11, u.val[1], x1, 1);     \
        a12 = vdotq_lane_s32(a12, u.val[2], x1, 1); a13 = vdotq_lane_s32(a13, u.val[3], x1, 1);     \
        a20 = vdotq_lane_s32(a20, u.val[0], x2, 1); a21 = vdotq_lane_s32(a21, u.val[1], x2, 1);     \
        a22 = vdotq_lane_s32(a22, u.val[2], x2, 1); a23 = vdotq_lane_s32(a23, u.val[3], x2, 1);     \
        a30 = vdotq_lane_s32(a30, u.val[0], x3, 1); a31 = vdotq_lane_s32(a31, u.val[1], x3, 1);     \
        a32 = vdotq_lane_s32(a32, u.val[2], x3, 1); a33 = vdotq_lane_s32(a33, u.val[3], x3, 1);     \
    } while (0)

#define JOULE_NEON_LOAD8(p) vreinterpret_s8_u8(vld1_u8(p))

/* The block over codes and spike counts (values 0…127 as signed bytes): `sdot`. Groups go in
 * pairs (g even, g + 1 < groups) wherever either is set — a group outside the block's mask holds
 * only zeros in its window, so visiting it adds nothing — each tap then one 8-byte load per
 * pixel and 32 `sdot` by element (512 multiply-adds); 3-wide windows over pixels that follow
 * each other in a row load each kernel row's 6 input positions once for its 3 taps. A last odd
 * group goes alone (`JOULE_NEON_SIGNED_BODY`). */
JOULE_NEON_DOT __attribute__((noinline)) static void joule_neon_dense_block(const joule_neon_block *b) {
    JOULE_NEON_ACCUMULATORS(int32x4_t, vdupq_n_s32(0));
    const int64_t kh = b->kernel_h, kw = b->kernel_w, ch = b->channels, groups = ch / 4;
    const int64_t group_bytes = kh * kw * 64;
    const int in_row = kw == 3 && b->off1 == ch && b->off2 == 2 * ch && b->off3 == 3 * ch;
    for (int64_t word = 0; word < b->words; word++) {
        const uint64_t m = b->mask[word];
        uint64_t pairs = (m | (m >> 1)) & 0x5555555555555555ULL;
        while (pairs) {
            const int64_t g = word * 64 + __builtin_ctzll(pairs);
            pairs &= pairs - 1;
            const uint8_t *line = b->origin + 4 * g;
            const int8_t *wv = b->weights + g * group_bytes;
            if (g + 1 >= groups) {  /* the last group of an odd count: alone */
                for (int64_t ky = 0; ky < kh; ky++, line += b->row_stride) {
                    for (int64_t kx = 0; kx < kw; kx++, wv += 64) {
                        const uint8_t *p_ = line + kx * ch;
                        const uint32x4_t x0 = joule_neon_dup4(p_);
                        const uint32x4_t x1 = joule_neon_dup4(p_ + b->off1);
                        const uint32x4_t x2 = joule_neon_dup4(p_ + b->off2);
                        const uint32x4_t x3 = joule_neon_dup4(p_ + b->off3);
                        const int8_t *w_ = wv;
                        JOULE_NEON_SIGNED_BODY
                    }
                }
                continue;
            }
            const int8_t *wu = wv + group_bytes;
            if (in_row) {
                for (int64_t ky = 0; ky < kh; ky++, line += b->row_stride, wv += 192, wu += 192) {
                    const int8x8_t y0 = JOULE_NEON_LOAD8(line), y1 = JOULE_NEON_LOAD8(line + ch);
                    const int8x8_t y2 = JOULE_NEON_LOAD8(line + 2 * ch), y3 = JOULE_NEON_LOAD8(line + 3 * ch);
                    const int8x8_t y4 = JOULE_NEON_LOAD8(line + 4 * ch), y5 = JOULE_NEON_LOAD8(line + 5 * ch);
                    int8x16x4_t v = vld1q_s8_x4(wv), u = vld1q_s8_x4(wu);
                    JOULE_NEON_TAP_PAIR(v, u, y0, y1, y2, y3);
                    v = vld1q_s8_x4(wv + 64); u = vld1q_s8_x4(wu + 64);
                    JOULE_NEON_TAP_PAIR(v, u, y1, y2, y3, y4);
                    v = vld1q_s8_x4(wv + 128); u = vld1q_s8_x4(wu + 128);
                    JOULE_NEON_TAP_PAIR(v, u, y2, y3, y4, y5);
                }
            } else {
                for (int64_t ky = 0; ky < kh; ky++, line += b->row_stride) {
                    for (int64_t kx = 0; kx < kw; kx++, wv += 64, wu += 64) {
                        const uint8_t *p_ = line + kx * ch;
                        const int8x8_t y0 = JOULE_NEON_LOAD8(p_), y1 = JOULE_NEON_LOAD8(p_ + b->off1);
                        const int8x8_t y2 = JOULE_NEON_LOAD8(p_ + b->off2), y3 = JOULE_NEON_LOAD8(p_ + b->off3);
                        const int8x16x4_t v = vld1q_s8_x4(wv), u = vld1q_s8_x4(wu);
                        JOULE_NEON_TAP_PAIR(v, u, y0, y1, y2, y3);
                    }
                }
            }
        }
    }
    JOULE_NEON_STORE(b, a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33);
}

/* The block over the model input's bytes (0…255): `udot` of the bytes with the weights offset to
 * unsigned (w + 128, a bit flip) and, per pixel, of the bytes with ones; the sum is
 * `Σ x·(w + 128) − 128 · Σ x`, exact modulo 2^32 and so in int32 (|Σ x·w| < 2^31). */
JOULE_NEON_DOT __attribute__((noinline)) static void joule_neon_dense_block_bytes(const joule_neon_block *b) {
    JOULE_NEON_ACCUMULATORS(uint32x4_t, vdupq_n_u32(0));
    uint32x4_t sx0 = vdupq_n_u32(0), sx1 = sx0, sx2 = sx0, sx3 = sx0;
    const uint8x16_t flip = vdupq_n_u8(0x80), ones = vdupq_n_u8(1);
    JOULE_NEON_WALK(b, b->kernel_w, {
        uint8x16x4_t v = vld1q_u8_x4((const uint8_t *)w_);
        v.val[0] = veorq_u8(v.val[0], flip); v.val[1] = veorq_u8(v.val[1], flip);
        v.val[2] = veorq_u8(v.val[2], flip); v.val[3] = veorq_u8(v.val[3], flip);
        const uint8x16_t y0 = vreinterpretq_u8_u32(x0), y1 = vreinterpretq_u8_u32(x1);
        const uint8x16_t y2 = vreinterpretq_u8_u32(x2), y3 = vreinterpretq_u8_u32(x3);
        sx0 = vdotq_u32(sx0, ones, y0); sx1 = vdotq_u32(sx1, ones, y1);
        sx2 = vdotq_u32(sx2, ones, y2); sx3 = vdotq_u32(sx3, ones, y3);
        JOULE_NEON_TAP(vdotq_u32, v, y0, y1, y2, y3);
    });
    const uint32x4_t c0 = vshlq_n_u32(sx0, 7), c1 = vshlq_n_u32(sx1, 7);
    const uint32x4_t c2 = vshlq_n_u32(sx2, 7), c3 = vshlq_n_u32(sx3, 7);
#define JOULE_NEON_SIGNED(a, c) vreinterpretq_s32_u32(vsubq_u32(a, c))
    JOULE_NEON_STORE(b, JOULE_NEON_SIGNED(a00, c0), JOULE_NEON_SIGNED(a01, c0), JOULE_NEON_SIGNED(a02, c0),
                     JOULE_NEON_SIGNED(a03, c0), JOULE_NEON_SIGNED(a10, c1), JOULE_NEON_SIGNED(a11, c1),
                     JOULE_NEON_SIGNED(a12, c1), JOULE_NEON_SIGNED(a13, c1), JOULE_NEON_SIGNED(a20, c2),
                     JOULE_NEON_SIGNED(a21, c2), JOULE_NEON_SIGNED(a22, c2), JOULE_NEON_SIGNED(a23, c2),
                     JOULE_NEON_SIGNED(a30, c3), JOULE_NEON_SIGNED(a31, c3), JOULE_NEON_SIGNED(a32, c3),
                     JOULE_NEON_SIGNED(a33, c3));
#undef JOULE_NEON_SIGNED
}

/* The block without the dot product (Cortex-A53/A72: plain Armv8-A NEON), over values 0…15
 * (codes, spike counts), one quarter of the tile (4 channels) at a time: per tap and pixel the
 * 4 channels' weights times the pixel's 4 inputs multiplied and added into int16 lanes, one lane
 * per (channel, input) — `smlal`/`smlal2`, 16 multiply-adds for 2 instructions —, then added
 * pairwise into int32 lanes (`sadalp`) whenever the taps of the next group would pass
 * `JOULE_NEON_PLAIN_TAPS` (after each kernel row where a group alone has more): a lane adds at
 * most that many products of
 * |x · w| ≤ 15 · 128 = 1,920, ≤ 32,640 < 2^15. The int32 pairs of a channel are added at the end
 * (`addp`). Windows at most `JOULE_NEON_PLAIN_TAPS` wide. */
JOULE_NEON_INLINE void joule_neon_plain_quarter(const joule_neon_block *b, int64_t j, int64_t kw, int in_row) {
    const int64_t kh = b->kernel_h, ch = b->channels;
    const int64_t group_bytes = kh * kw * 64;
    const int per_row = kh * kw > JOULE_NEON_PLAIN_TAPS;
    int32x4_t l0 = vdupq_n_s32(0), l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
    const int16x8_t z = vdupq_n_s16(0);
    int16x8_t pl0 = z, pl1 = z, pl2 = z, pl3 = z, ph0 = z, ph1 = z, ph2 = z, ph3 = z;
#define JOULE_NEON_PLAIN_MAC(w, x0, x1, x2, x3)                                                     \
    do {                                                                                            \
        const int8x8_t wl_ = vget_low_s8(w);                                                        \
        pl0 = vmlal_s8(pl0, wl_, vget_low_s8(x0)); ph0 = vmlal_high_s8(ph0, w, x0);                 \
        pl1 = vmlal_s8(pl1, wl_, vget_low_s8(x1)); ph1 = vmlal_high_s8(ph1, w, x1);                 \
        pl2 = vmlal_s8(pl2, wl_, vget_low_s8(x2)); ph2 = vmlal_high_s8(ph2, w, x2);                 \
        pl3 = vmlal_s8(pl3, wl_, vget_low_s8(x3)); ph3 = vmlal_high_s8(ph3, w, x3);                 \
    } while (0)
#define JOULE_NEON_PLAIN_FLUSH()                                                                    \
    do {                                                                                            \
        l0 = vpadalq_s16(l0, pl0); l1 = vpadalq_s16(l1, pl1); l2 = vpadalq_s16(l2, pl2);            \
        l3 = vpadalq_s16(l3, pl3); h0 = vpadalq_s16(h0, ph0); h1 = vpadalq_s16(h1, ph1);            \
        h2 = vpadalq_s16(h2, ph2); h3 = vpadalq_s16(h3, ph3);                                       \
        pl0 = z; pl1 = z; pl2 = z; pl3 = z; ph0 = z; ph1 = z; ph2 = z; ph3 = z;                     \
    } while (0)
#define JOULE_NEON_DUP(p) vreinterpretq_s8_u32(joule_neon_dup4(p))
    int64_t pending = 0;  /* taps in the int16 lanes since the last flush */
    for (int64_t word = 0; word < b->words; word++) {
        uint64_t m = b->mask[word];
        while (m) {
            const int64_t g = word * 64 + __builtin_ctzll(m);
            m &= m - 1;
            if (!per_row && pending + kh * kw > JOULE_NEON_PLAIN_TAPS) {
                JOULE_NEON_PLAIN_FLUSH();
                pending = 0;
            }
            pending += kh * kw;
            const uint8_t *line = b->origin + 4 * g;
            const int8_t *w = b->weights + g * group_bytes + 16 * j;
            for (int64_t ky = 0; ky < kh; ky++, line += b->row_stride) {
                if (in_row) {
                    const int8x16_t y0 = JOULE_NEON_DUP(line), y1 = JOULE_NEON_DUP(line + ch);
                    const int8x16_t y2 = JOULE_NEON_DUP(line + 2 * ch), y3 = JOULE_NEON_DUP(line + 3 * ch);
                    const int8x16_t y4 = JOULE_NEON_DUP(line + 4 * ch), y5 = JOULE_NEON_DUP(line + 5 * ch);
                    JOULE_NEON_PLAIN_MAC(vld1q_s8(w), y0, y1, y2, y3);
                    JOULE_NEON_PLAIN_MAC(vld1q_s8(w + 64), y1, y2, y3, y4);
                    JOULE_NEON_PLAIN_MAC(vld1q_s8(w + 128), y2, y3, y4, y5);
                    w += 192;
                } else {
                    for (int64_t kx = 0; kx < kw; kx++, w += 64) {
                        const uint8_t *p = line + kx * ch;
                        JOULE_NEON_PLAIN_MAC(vld1q_s8(w), JOULE_NEON_DUP(p), JOULE_NEON_DUP(p + b->off1),
                                             JOULE_NEON_DUP(p + b->off2), JOULE_NEON_DUP(p + b->off3));
                    }
                }
                if (per_row) JOULE_NEON_PLAIN_FLUSH();
            }
        }
    }
    JOULE_NEON_PLAIN_FLUSH();
#undef JOULE_NEON_DUP
#undef JOULE_NEON_PLAIN_FLUSH
#undef JOULE_NEON_PLAIN_MAC
    joule_neon_codes4(vpaddq_s32(l0, h0), vpaddq_s32(l1, h1), vpaddq_s32(l2, h2), vpaddq_s32(l3, h3), b, j);
}

__attribute__((noinline)) static void joule_neon_dense_block_plain(const joule_neon_block *b) {
    const int64_t ch = b->channels;
    const int in_row = b->kernel_w == 3 && b->off1 == ch && b->off2 == 2 * ch && b->off3 == 3 * ch;
    for (int64_t j = 0; j < 4; j++) {
        if (in_row) joule_neon_plain_quarter(b, j, 3, 1);
        else if (b->kernel_w == 3) joule_neon_plain_quarter(b, j, 3, 0);
        else if (b->kernel_w == 1) joule_neon_plain_quarter(b, j, 1, 0);
        else joule_neon_plain_quarter(b, j, b->kernel_w, 0);
    }
}

/* Copies `n` pixels of one input row from `k` (1…4) CHW channel rows — `src` at the first, the
 * others `plane` bytes apart — into the channels-last row `dst` (the 4-byte group of pixel x
 * at `x · channels`; channels past `k` written as 0): the rows zipped into pixel words, one
 * 32-bit store each, 16 pixels a step (8 where the row is shorter; a last step overlaps the one
 * before); rows under 8 pixels value by value. */
static inline void joule_neon_copy_group(const uint8_t *src, int64_t plane, int64_t k, int64_t n,
                                         uint8_t *dst, int64_t channels) {
    if (n >= 16) {
        const uint8x16_t zero = vdupq_n_u8(0);
        for (int64_t x = 0;; x += 16) {
            if (x + 16 > n) x = n - 16;
            const uint8x16_t r0 = vld1q_u8(src + x);
            const uint8x16_t r1 = k > 1 ? vld1q_u8(src + plane + x) : zero;
            const uint8x16_t r2 = k > 2 ? vld1q_u8(src + 2 * plane + x) : zero;
            const uint8x16_t r3 = k > 3 ? vld1q_u8(src + 3 * plane + x) : zero;
            const uint16x8_t lo01 = vreinterpretq_u16_u8(vzip1q_u8(r0, r1)), hi01 = vreinterpretq_u16_u8(vzip2q_u8(r0, r1));
            const uint16x8_t lo23 = vreinterpretq_u16_u8(vzip1q_u8(r2, r3)), hi23 = vreinterpretq_u16_u8(vzip2q_u8(r2, r3));
            const uint32x4_t q0 = vreinterpretq_u32_u16(vzip1q_u16(lo01, lo23));
            const uint32x4_t q1 = vreinterpretq_u32_u16(vzip2q_u16(lo01, lo23));
            const uint32x4_t q2 = vreinterpretq_u32_u16(vzip1q_u16(hi01, hi23));
            const uint32x4_t q3 = vreinterpretq_u32_u16(vzip2q_u16(hi01, hi23));
            uint8_t *d = dst + x * channels;
#define JOULE_NEON_PUT4(q, i)                                                                       \
    {                                                                                               \
        const uint32_t v0_ = vgetq_lane_u32(q, 0), v1_ = vgetq_lane_u32(q, 1);                      \
        const uint32_t v2_ = vgetq_lane_u32(q, 2), v3_ = vgetq_lane_u32(q, 3);                      \
        __builtin_memcpy(d + (i) * channels, &v0_, 4);                                              \
        __builtin_memcpy(d + ((i) + 1) * channels, &v1_, 4);                                        \
        __builtin_memcpy(d + ((i) + 2) * channels, &v2_, 4);                                        \
        __builtin_memcpy(d + ((i) + 3) * channels, &v3_, 4);                                        \
    }
            JOULE_NEON_PUT4(q0, 0) JOULE_NEON_PUT4(q1, 4) JOULE_NEON_PUT4(q2, 8) JOULE_NEON_PUT4(q3, 12)
            if (x + 16 >= n) break;
        }
    } else if (n >= 8) {
        const uint8x8_t zero = vdup_n_u8(0);
        for (int64_t x = 0;; x += 8) {
            if (x + 8 > n) x = n - 8;
            const uint8x8_t r0 = vld1_u8(src + x);
            const uint8x8_t r1 = k > 1 ? vld1_u8(src + plane + x) : zero;
            const uint8x8_t r2 = k > 2 ? vld1_u8(src + 2 * plane + x) : zero;
            const uint8x8_t r3 = k > 3 ? vld1_u8(src + 3 * plane + x) : zero;
            const uint16x8_t p01 = vreinterpretq_u16_u8(vcombine_u8(vzip1_u8(r0, r1), vzip2_u8(r0, r1)));
            const uint16x8_t p23 = vreinterpretq_u16_u8(vcombine_u8(vzip1_u8(r2, r3), vzip2_u8(r2, r3)));
            const uint32x4_t q0 = vreinterpretq_u32_u16(vzip1q_u16(p01, p23));
            const uint32x4_t q1 = vreinterpretq_u32_u16(vzip2q_u16(p01, p23));
            uint8_t *d = dst + x * channels;
            JOULE_NEON_PUT4(q0, 0) JOULE_NEON_PUT4(q1, 4)
            if (x + 8 >= n) break;
        }
#undef JOULE_NEON_PUT4
    } else {
        for (int64_t x = 0; x < n; x++)
            for (int64_t c = 0; c < 4; c++) dst[x * channels + c] = c < k ? src[c * plane + x] : 0;
    }
}

/* Interleaves the weights of output channels `first…first + span − 1` (span a multiple of 16) as
 * `DenseScratch.weights` lays them into `out`: for tile s, group g (inputs 4g…4g+3, zero past
 * `inputs`) and tap t, 64 bytes at `((s · groups + g) · taps + t) · 64`, output channel q's four
 * weights at 4q. Weight row `c · taps + t` (int8, `row_bytes` apart) holds input c's weights at
 * tap t for every output channel. Per 16 channels: four row loads, two rounds of zips, one
 * 64-byte store. */
static inline void joule_neon_interleave_span(const int8_t *weights, int64_t row_bytes, int64_t first, int64_t span,
                                              int64_t groups, int64_t taps, int64_t inputs, int8_t *out) {
    const int8x16_t zero = vdupq_n_s8(0);
    const int64_t tile_bytes = groups * taps * 64;
    for (int64_t g = 0; g < groups; g++) {
        for (int64_t t = 0; t < taps; t++) {
            const int8_t *r = weights + (4 * g * taps + t) * row_bytes + first;
            const int64_t step = taps * row_bytes;
            int8_t *d = out + (g * taps + t) * 64;
            for (int64_t s = 0; s < span; s += 16, d += tile_bytes) {
                const int8x16_t a0 = 4 * g < inputs ? vld1q_s8(r + s) : zero;
                const int8x16_t a1 = 4 * g + 1 < inputs ? vld1q_s8(r + step + s) : zero;
                const int8x16_t a2 = 4 * g + 2 < inputs ? vld1q_s8(r + 2 * step + s) : zero;
                const int8x16_t a3 = 4 * g + 3 < inputs ? vld1q_s8(r + 3 * step + s) : zero;
                const int16x8_t lo01 = vreinterpretq_s16_s8(vzip1q_s8(a0, a1)), hi01 = vreinterpretq_s16_s8(vzip2q_s8(a0, a1));
                const int16x8_t lo23 = vreinterpretq_s16_s8(vzip1q_s8(a2, a3)), hi23 = vreinterpretq_s16_s8(vzip2q_s8(a2, a3));
                int8x16x4_t o;
                o.val[0] = vreinterpretq_s8_s16(vzip1q_s16(lo01, lo23));
                o.val[1] = vreinterpretq_s8_s16(vzip2q_s16(lo01, lo23));
                o.val[2] = vreinterpretq_s8_s16(vzip1q_s16(hi01, hi23));
                o.val[3] = vreinterpretq_s8_s16(vzip2q_s16(hi01, hi23));
                vst1q_s8_x4(d, o);
            }
        }
    }
}

/* Sets `bit` in `masks[p · words]` for each of the `plane` pixels p where any of the `k` (1…4)
 * CHW channel planes (`src` at the first, `plane` bytes apart) is non-zero: 16 pixels a step,
 * the set ones found from a 64-bit nibble mask (`shrn`), the rest value by value. */
static inline void joule_neon_pixel_masks(const uint8_t *src, int64_t plane, int64_t k, uint64_t *masks,
                                          int64_t words, uint64_t bit) {
    int64_t p = 0;
    for (; p + 16 <= plane; p += 16) {
        uint8x16_t v = vld1q_u8(src + p);
        for (int64_t c = 1; c < k; c++) v = vorrq_u8(v, vld1q_u8(src + c * plane + p));
        const uint8x16_t nz = vtstq_u8(v, v);
        uint64_t nibbles = vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(nz), 4)), 0);
        while (nibbles) {
            masks[(p + (__builtin_ctzll(nibbles) >> 2)) * words] |= bit;
            nibbles &= ~(0xFULL << (__builtin_ctzll(nibbles) & ~3));
        }
    }
    for (; p < plane; p++) {
        uint8_t v = src[p];
        for (int64_t c = 1; c < k; c++) v |= src[c * plane + p];
        if (v) masks[p * words] |= bit;
    }
}

#else /* plain C: the same results */

static inline void joule_neon_fallback_block(const joule_neon_block *b, int32_t bytes) {
    int32_t s[4][16];
    for (int p = 0; p < 4; p++)
        for (int q = 0; q < 16; q++) s[p][q] = 0;
    const int64_t taps = b->kernel_h * b->kernel_w;
    const int64_t off[4] = {0, b->off1, b->off2, b->off3};
    for (int64_t word = 0; word < b->words; word++) {
        uint64_t m = b->mask[word];
        while (m) {
            const int64_t g = word * 64 + __builtin_ctzll(m);
            m &= m - 1;
            for (int64_t ky = 0; ky < b->kernel_h; ky++)
                for (int64_t kx = 0; kx < b->kernel_w; kx++) {
                    const int8_t *w = b->weights + (g * taps + ky * b->kernel_w + kx) * 64;
                    const uint8_t *at = b->origin + 4 * g + ky * b->row_stride + kx * b->channels;
                    for (int p = 0; p < 4; p++)
                        for (int q = 0; q < 16; q++)
                            for (int i = 0; i < 4; i++) {
                                const int32_t x = bytes ? (int32_t)at[off[p] + i] : (int32_t)(int8_t)at[off[p] + i];
                                s[p][q] += x * (int32_t)w[4 * q + i];
                            }
                }
        }
    }
    for (int64_t q = 0; q < 16; q++)
        for (int64_t p = 0; p < b->pixels; p++) {
            int64_t code = b->timesteps;
            for (int64_t n = 0; n < b->timesteps; n++) code -= s[p][q] < b->thresholds[n * b->out_c + q];
            b->output[q * b->plane + p] = (uint8_t)code;
        }
}

static inline void joule_neon_dense_block(const joule_neon_block *b) { joule_neon_fallback_block(b, 0); }
static inline void joule_neon_dense_block_plain(const joule_neon_block *b) { joule_neon_fallback_block(b, 0); }
static inline void joule_neon_dense_block_bytes(const joule_neon_block *b) { joule_neon_fallback_block(b, 1); }

static inline void joule_neon_copy_group(const uint8_t *src, int64_t plane, int64_t k, int64_t n,
                                         uint8_t *dst, int64_t channels) {
    for (int64_t x = 0; x < n; x++)
        for (int64_t c = 0; c < 4; c++) dst[x * channels + c] = c < k ? src[c * plane + x] : 0;
}

static inline void joule_neon_interleave_span(const int8_t *weights, int64_t row_bytes, int64_t first, int64_t span,
                                              int64_t groups, int64_t taps, int64_t inputs, int8_t *out) {
    for (int64_t s = 0; s < span / 16; s++)
        for (int64_t g = 0; g < groups; g++)
            for (int64_t t = 0; t < taps; t++)
                for (int64_t q = 0; q < 16; q++)
                    for (int64_t i = 0; i < 4; i++) {
                        const int64_t c = 4 * g + i;
                        out[((s * groups + g) * taps + t) * 64 + 4 * q + i] =
                            c < inputs ? weights[(c * taps + t) * row_bytes + first + 16 * s + q] : 0;
                    }
}

static inline void joule_neon_pixel_masks(const uint8_t *src, int64_t plane, int64_t k, uint64_t *masks,
                                          int64_t words, uint64_t bit) {
    for (int64_t p = 0; p < plane; p++) {
        uint8_t v = src[p];
        for (int64_t c = 1; c < k; c++) v |= src[c * plane + p];
        if (v) masks[p * words] |= bit;
    }
}
#endif

#endif
