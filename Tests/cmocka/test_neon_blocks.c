/* The dense convolution's blocks (Sources/JouleCore/Kernels/arm/NEON/joule_neon.h) against an
 * independent scalar reference written here from the layout contract in the header and in
 * Sources/JouleCore/Kernels/DenseScratch.swift: for each of 4 pixels and 16 channels the sum over
 * every group, tap and input of x · w, then the code T − #{n : sum < θ_n}.
 *
 * Cases (pseudo-random, fixed seed): 1…70 input-channel groups (odd and even counts, two mask
 * words), 3×3, 1×1, 5×5 and 1×17 windows, pixels in one row and across rows, partial blocks of
 * 1…3 pixels (bytes past them must stay untouched), T 1…15, values 0…15 and (udot) 0…255, weights
 * random in ±127 or all +127 / all −127 with every value at its maximum (the plain block's int16
 * lanes at their bound), groups left out of the mask (all-zero, as the contract says; the paired
 * sdot block visits them), thresholds straddling the sums and above all of them (the early-out).
 *
 * Run by Tools/cross-test: on aarch64 under qemu's default core (dot product: the sdot, udot and
 * plain NEON blocks) and under -cpu cortex-a72 (`--expect-dot no`: joule_neon_dot_available() must
 * say 0; the plain block); on the other boards the header's plain C. Exit status 1 on the first
 * difference, with the case. Usage: test_neon_blocks [--expect-dot yes|no] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joule_neon.h"

enum { OUT_C = 16, PLANE = 8, MAX_GROUPS = 70, MAX_TAPS = 25, MAX_KW = 17 };

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}
static int32_t range(int32_t lo, int32_t hi) { return lo + (int32_t)(next() % (uint32_t)(hi - lo + 1)); }

static int checked = 0, failed = 0;

/* One case: the block `which` (0 sdot, 1 udot bytes, 2 plain) on random data of this shape. */
static void run_case(int which, int groups, int kh, int kw, int in_row, int pixels, int t, int maxv, int weight_mode,
                     int sparse, int above) {
    const int64_t ch = 4 * groups, width = 8 + kw, rows = kh + 2;
    static uint8_t input[(2 + MAX_TAPS) * (8 + MAX_KW) * 4 * MAX_GROUPS];
    static int8_t weights[MAX_GROUPS * MAX_TAPS * MAX_KW * 64];
    static int32_t thresholds[15 * OUT_C];
    static uint8_t output[OUT_C * PLANE];
    uint64_t mask[2] = {0, 0};
    memset(input, 0, sizeof input);
    for (int g = 0; g < groups; g++) {
        if (sparse && next() % 3 != 0) continue;  /* a group left out: zero everywhere */
        mask[g / 64] |= 1ull << (g % 64);
        for (int64_t px = 0; px < rows * width; px++)
            for (int i = 0; i < 4; i++)
                input[px * ch + 4 * g + i] = (uint8_t)(weight_mode ? maxv : range(0, maxv));
    }
    const int64_t taps = (int64_t)kh * kw;
    for (int64_t k = 0; k < groups * taps * 64; k++)
        weights[k] = (int8_t)(weight_mode == 1 ? 127 : weight_mode == 2 ? -127 : range(-127, 127));
    /* Pixels 1…3: the next in the row, or (across rows) one then the next row's start. */
    const int64_t off[4] = {0, ch, in_row ? 2 * ch : width * ch, in_row ? 3 * ch : (width + 1) * ch};
    int64_t sums[4][OUT_C];
    for (int p = 0; p < 4; p++)
        for (int q = 0; q < OUT_C; q++) {
            int64_t s = 0;
            for (int g = 0; g < groups; g++)
                for (int ky = 0; ky < kh; ky++)
                    for (int kx = 0; kx < kw; kx++)
                        for (int i = 0; i < 4; i++)
                            s += (int64_t)input[off[p] + ky * width * ch + kx * ch + 4 * g + i] *
                                 weights[((g * kh + ky) * kw + kx) * 64 + 4 * q + i];
            sums[p][q] = s;
        }
    for (int q = 0; q < OUT_C; q++) {  /* non-decreasing thresholds across the sums' range */
        int64_t lo = sums[0][q], hi = sums[0][q];
        for (int p = 1; p < 4; p++) {
            if (sums[p][q] < lo) lo = sums[p][q];
            if (sums[p][q] > hi) hi = sums[p][q];
        }
        int64_t th = above ? hi + 1 : lo - 1 + range(0, 2);
        for (int n = 0; n < t; n++) {
            thresholds[n * OUT_C + q] = (int32_t)th;
            th += above ? range(0, 3) : (hi - lo + 2) / (t + 1) + range(0, 1);
        }
    }
    memset(output, 0xEE, sizeof output);
    joule_neon_block b = {
        .origin = input, .off1 = off[1], .off2 = off[2], .off3 = off[3], .weights = weights, .mask = mask,
        .words = (groups + 63) / 64, .kernel_h = kh, .kernel_w = kw, .channels = ch, .row_stride = width * ch,
        .thresholds = thresholds, .out_c = OUT_C, .timesteps = t, .output = output, .plane = PLANE, .pixels = pixels,
    };
    if (which == 0) joule_neon_dense_block(&b);
    else if (which == 1) joule_neon_dense_block_bytes(&b);
    else joule_neon_dense_block_plain(&b);
    checked++;
    for (int q = 0; q < OUT_C; q++)
        for (int p = 0; p < PLANE; p++) {
            int expected = 0xEE;
            if (p < pixels) {
                expected = t;
                for (int n = 0; n < t; n++) expected -= sums[p][q] < thresholds[n * OUT_C + q];
            }
            if (output[q * PLANE + p] != expected) {
                if (failed++ < 5)
                    fprintf(stderr,
                            "MISMATCH block %d groups %d window %dx%d %s pixels %d T %d max %d weights %d sparse %d "
                            "above %d: channel %d pixel %d code %d, expected %d (sum %lld)\n",
                            which, groups, kh, kw, in_row ? "in-row" : "across-rows", pixels, t, maxv, weight_mode,
                            sparse, above, q, p, output[q * PLANE + p], expected, (long long)(p < 4 ? sums[p][q] : 0));
                return;
            }
        }
}

int main(int argc, char **argv) {
    int expect_dot = -1;
    if (argc == 3 && !strcmp(argv[1], "--expect-dot")) expect_dot = !strcmp(argv[2], "yes");
    else if (argc != 1) {
        fprintf(stderr, "usage: test_neon_blocks [--expect-dot yes|no]\n");
        return 2;
    }
    const int dot = joule_neon_dot_available();
    if (expect_dot >= 0 && dot != expect_dot) {
        fprintf(stderr, "joule_neon_dot_available() = %d, expected %d\n", dot, expect_dot);
        return 1;
    }
    static const int shapes[][2] = {{3, 3}, {1, 1}, {5, 5}, {1, 17}};
    static const int group_counts[] = {1, 2, 3, 8, 9, 16, 33, 64, 65, 70};
    for (int s = 0; s < 4; s++)
        for (int gi = 0; gi < 10; gi++)
            for (int variant = 0; variant < 6; variant++) {
                const int kh = shapes[s][0], kw = shapes[s][1], groups = group_counts[gi];
                const int in_row = variant % 2 == 0, pixels = 1 + variant % 4, t = 1 + (int)(next() % 15);
                const int weight_mode = variant == 5 ? 1 + (int)(next() % 2) : 0;
                const int sparse = variant == 3, above = variant == 4;
                if (dot) {
                    run_case(0, groups, kh, kw, in_row, pixels, t, 15, weight_mode, sparse, above);
                    run_case(1, groups, kh, kw, in_row, pixels, t, 255, weight_mode, sparse, above);
                }
                if (kw <= JOULE_NEON_PLAIN_TAPS) run_case(2, groups, kh, kw, in_row, pixels, t, 15, weight_mode, sparse, above);
            }
    printf("test_neon_blocks: %d cases, %d failed (%s, dot product %s)\n", checked, failed,
           joule_neon_native() ? "NEON" : "plain C", dot ? "yes" : "no");
    return failed ? 1 : 0;
}
