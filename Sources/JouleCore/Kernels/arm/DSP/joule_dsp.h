/* The ARM DSP extension (SMLAD, SXTB16: Armv7E-M — Cortex-M4/M7/M33 — and Armv7-A) for the
 * kernels of `JOULE_ARM_DSP` builds, as static inline functions Swift inlines. Where the compiler
 * does not define __ARM_FEATURE_DSP (a host build of the same kernels, for their tests) the same
 * functions compute the same results in plain C. Header only (compiled into the module that
 * imports it); no allocation, no library calls. */
#ifndef JOULE_DSP_H
#define JOULE_DSP_H

#include <stdint.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define JOULE_DSP_NATIVE 1
#else
#define JOULE_DSP_NATIVE 0
#endif

/* 1 where the functions below use the DSP instructions, 0 where they run the plain C fallback. */
static inline int32_t joule_dsp_native(void) { return JOULE_DSP_NATIVE; }

/* acc[j] += sum over k < n of x_k * weights[offset_k + j], for 0 <= j < count: `n` int8 weight
 * rows (at byte offsets offset_k from `weights`) met by `n` inputs x_k in 0...32767 (codes, spike
 * counts, input bytes), listed in pairs of three words: `pairs[3i] = offset_2i`,
 * `pairs[3i + 1] = offset_2i+1`, `pairs[3i + 2] = x_2i | x_2i+1 << 16`. `n` is even (pad with
 * x = 0 and a valid offset). int32 sums wrap on overflow. No alignment is required of the rows
 * (Armv7-M and Armv7-A load unaligned words); `acc` is int32-aligned. With the DSP extension:
 * blocks of four outputs, their sums held in registers over the list — per pair of rows one
 * word of each, SXTB16 + PKHBT/PKHTB into (w_2i[j], w_2i+1[j]) pairs, one SMLAD per output. */
static inline void joule_dsp_gather_rows(int32_t *acc, const int8_t *weights, const uint32_t *pairs,
                                         int32_t n, int32_t count) {
    int32_t j = 0;
    const uint32_t *end = pairs + 3 * (n >> 1);
#if JOULE_DSP_NATIVE
    for (; j + 4 <= count; j += 4) {
        const int8_t *base = weights + j;
        int32_t s0 = acc[j], s1 = acc[j + 1], s2 = acc[j + 2], s3 = acc[j + 3];
        for (const uint32_t *p = pairs; p != end; p += 3) {
            uint32_t a, b;
            __builtin_memcpy(&a, base + p[0], 4);
            __builtin_memcpy(&b, base + p[1], 4);
            const uint32_t x = p[2];
            const uint32_t a02 = __sxtb16(a), a13 = __sxtb16(__ror(a, 8));
            const uint32_t b02 = __sxtb16(b), b13 = __sxtb16(__ror(b, 8));
            s0 = __smlad((a02 & 0xFFFFu) | (b02 << 16), x, s0);
            s2 = __smlad((a02 >> 16) | (b02 & 0xFFFF0000u), x, s2);
            s1 = __smlad((a13 & 0xFFFFu) | (b13 << 16), x, s1);
            s3 = __smlad((a13 >> 16) | (b13 & 0xFFFF0000u), x, s3);
        }
        acc[j] = s0;
        acc[j + 1] = s1;
        acc[j + 2] = s2;
        acc[j + 3] = s3;
    }
#endif
    for (; j < count; j++) {
        uint32_t s = (uint32_t)acc[j];
        for (const uint32_t *p = pairs; p != end; p += 3) {
            s += (uint32_t)((int32_t)(p[2] & 0xFFFFu) * weights[p[0] + (uint32_t)j]);
            s += (uint32_t)((int32_t)(p[2] >> 16) * weights[p[1] + (uint32_t)j]);
        }
        acc[j] = (int32_t)s;
    }
}

/* acc[j] += weights[j] for 0 <= j < count, in wrapping int16 arithmetic: one spike's int8
 * weight row added to the streaming schedule's split membranes. With the DSP extension four
 * weights per word: SXTB16 (and SXTB16 of the word rotated by 8) splits them into int16 pairs,
 * PKHBT/PKHTB orders them as (w0, w1) and (w2, w3), SADD16 adds each pair to two membranes. No
 * alignment is required of `weights`; `acc` is int16-aligned (its words are loaded unaligned). */
static inline void joule_dsp_add_row16(int16_t *acc, const int8_t *weights, int32_t count) {
    int32_t j = 0;
#if JOULE_DSP_NATIVE
    for (; j + 4 <= count; j += 4) {
        uint32_t w, lo, hi;
        __builtin_memcpy(&w, weights + j, 4);
        __builtin_memcpy(&lo, acc + j, 4);
        __builtin_memcpy(&hi, acc + j + 2, 4);
        const uint32_t w02 = __sxtb16(w), w13 = __sxtb16(__ror(w, 8));
        lo = __sadd16(lo, (w02 & 0xFFFFu) | (w13 << 16));
        hi = __sadd16(hi, (w02 >> 16) | (w13 & 0xFFFF0000u));
        __builtin_memcpy(acc + j, &lo, 4);
        __builtin_memcpy(acc + j + 2, &hi, 4);
    }
#endif
    for (; j < count; j++) acc[j] = (int16_t)(uint16_t)((uint16_t)acc[j] + (uint16_t)weights[j]);
}

/* Rows a pixel's list holds before they are added (`joule_dsp_pixel`): even. */
#define JOULE_DSP_LIST_ROWS 64

/* A weighted layer as `joule_dsp_pixel` walks it: weight row r (input channel c, tap (ky, kx):
 * r = (c * kernel_h + ky) * kernel_w + kx) holds `count` int8 weights at weights + r * row_bytes;
 * `row_counts[r]` is its number of non-zero weights. The input: `in_c` channels of `plane`
 * values, lines of `in_w`; one byte per value (`bits` 0) or codes packed `bits` (1...8) wide,
 * little-endian, readable 3 bytes past their end (`PackedCodes.padding`). `spike_counts`: the
 * values are spike counts (the counters count each of their spikes). */
typedef struct {
    const int8_t *weights;
    const uint32_t *row_counts;
    int32_t row_bytes, count;
    int32_t in_c, plane, in_w, kernel_w, taps;
    int32_t bits, spike_counts;
} joule_dsp_layer;

/* Where a pixel's list stands: the next pair's words, rows listed, and the tally of the rows
 * listed since the last flush in 32 bits (at most JOULE_DSP_LIST_ROWS rows of at most 65,535
 * weights and inputs at most 255: below 2^32). */
typedef struct {
    uint32_t *slot;
    int32_t n;
    uint32_t ops, visits;
} joule_dsp_cursor;

/* A pixel's list being filled (`joule_dsp_pixel`). */
typedef struct {
    const joule_dsp_layer *layer;
    int32_t *acc;
    uint32_t *list;
    joule_dsp_cursor at;
    uint64_t *total_ops, *total_visits;
} joule_dsp_list;

/* Adds the listed rows (padded to an even number) into the sums, their tally into the totals,
 * and empties the list. */
static void joule_dsp_flush(joule_dsp_list *s) {
    joule_dsp_cursor *c = &s->at;
    if (c->n & 1) { c->slot[1] = 0; c->n++; }  /* the last pair's second row: row 0 at x = 0 */
    joule_dsp_gather_rows(s->acc, s->layer->weights, s->list, c->n, s->layer->count);
    *s->total_ops += c->ops;
    *s->total_visits += c->visits;
    *c = (joule_dsp_cursor){ s->list, 0, 0, 0 };
}

/* Lists the row at byte offset `off` (with `nonzero` non-zero weights) met by input x > 0,
 * counted `times` times, at cursor c (a copy of the list's, in registers while a take function
 * runs; the list's own is brought up to date around a flush). The callers hoist the layer's
 * fields: stores through the list could alias them. */
static inline void joule_dsp_append(joule_dsp_list *s, joule_dsp_cursor *c, uint32_t off, uint32_t nonzero,
                                    uint32_t x, uint32_t times) {
    if (c->n & 1) {
        c->slot[1] = off;
        c->slot[2] |= x << 16;
        c->slot += 3;
    } else {
        c->slot[0] = off;
        c->slot[2] = x;
    }
    c->ops += times * nonzero;
    c->visits += times;
    if (++c->n == JOULE_DSP_LIST_ROWS) {
        s->at = *c;
        joule_dsp_flush(s);
        *c = s->at;
    }
}

/* Lists the non-zero fields of window w (codes `bits` wide, the first for row r; each input
 * counted once: codes are not spike counts). Kept out of line, the list's state in registers:
 * the scan's loop over zero windows keeps its own. */
__attribute__((noinline)) static void joule_dsp_take_window(joule_dsp_list *s, int32_t r, uint32_t w) {
    const joule_dsp_layer *l = s->layer;
    const int32_t bits = l->bits;
    const uint32_t field = (1u << bits) - 1u, row_bytes = (uint32_t)l->row_bytes;
    const uint32_t *counts = l->row_counts;
    joule_dsp_cursor c = s->at;
    for (; w != 0; w >>= bits, r++) {
        const uint32_t x = w & field;
        if (x != 0) joule_dsp_append(s, &c, (uint32_t)r * row_bytes, counts[r], x, 1u);
    }
    s->at = c;
}

/* Lists the non-zero bytes of the `width` inputs at p (the first for row r; with `spike_counts`
 * each counted as its value). Out of line, like `joule_dsp_take_window`. */
__attribute__((noinline)) static void joule_dsp_take_bytes(joule_dsp_list *s, const uint8_t *p, int32_t r,
                                                          int32_t width) {
    const joule_dsp_layer *l = s->layer;
    const uint32_t row_bytes = (uint32_t)l->row_bytes, spikes = (uint32_t)l->spike_counts;
    const uint32_t *counts = l->row_counts;
    joule_dsp_cursor c = s->at;
    for (int32_t kx = 0; kx < width; kx++, r++) {
        const uint32_t x = p[kx];
        if (x != 0) joule_dsp_append(s, &c, (uint32_t)r * row_bytes, counts[r], x, spikes ? x : 1u);
    }
    s->at = c;
}

/* One output pixel's sums: acc[j] = sum over its window's non-zero inputs x of x * w_r[j] — the
 * plain gather's sums — for 0 <= j < count (count <= 65,535). The window: `ky_count` lines of
 * `width` taps per channel, the first at input index `line` and weight row `row` (lines `in_w`
 * apart, channels `plane`; rows `kernel_w` and `taps` apart). Adds to `*ops` the multiplies with
 * non-zero weights and to `*visits` the rows read (with `spike_counts`, each input times its
 * value). `list`: scratch for JOULE_DSP_LIST_ROWS / 2 * 3 words. */
static inline void joule_dsp_pixel(const joule_dsp_layer *l, const uint8_t *input, int32_t line, int32_t row,
                                   int32_t ky_count, int32_t width, int32_t *acc, uint32_t *list,
                                   uint64_t *ops, uint64_t *visits) {
    for (int32_t j = 0; j < l->count; j++) acc[j] = 0;
    joule_dsp_list s = { l, acc, list, { list, 0, 0, 0 }, ops, visits };
    const int32_t bits = l->bits, in_w = l->in_w, kernel_w = l->kernel_w;
    if (bits) {
        const int32_t chunk = 25 / bits;
        const uint32_t line_bits = (uint32_t)(in_w * bits);
        for (int32_t c = 0; c < l->in_c; c++, line += l->plane, row += l->taps) {
            for (int32_t kx = 0; kx < width; kx += chunk) {
                const int32_t m = width - kx < chunk ? width - kx : chunk;
                const uint32_t mask = (1u << (uint32_t)(m * bits)) - 1u;
                uint32_t bit = (uint32_t)(line + kx) * (uint32_t)bits;
                int32_t r = row + kx;
                for (int32_t ky = 0; ky < ky_count; ky++, bit += line_bits, r += kernel_w) {
                    uint32_t w;
                    __builtin_memcpy(&w, input + (bit >> 3), 4);
                    w = (w >> (bit & 7u)) & mask;
                    if (w != 0) joule_dsp_take_window(&s, r, w);
                }
            }
        }
    } else {
        for (int32_t c = 0; c < l->in_c; c++, line += l->plane, row += l->taps) {
            const uint8_t *p = input + line;
            int32_t r = row;
            for (int32_t ky = 0; ky < ky_count; ky++, p += in_w, r += kernel_w) {
                for (int32_t kx = 0; kx < width; kx++) {
                    if (p[kx] != 0) {  /* the rest of the line out of line, from its first non-zero */
                        joule_dsp_take_bytes(&s, p + kx, r + kx, width - kx);
                        break;
                    }
                }
            }
        }
    }
    if (s.at.n > 0) joule_dsp_flush(&s);
}

#endif
