/*
 * joule-demo: runs a packed model (.jmod) on one input through the C API and prints scores,
 * counters and the energy estimate on every compiled-in board in a stable text format (one
 * `key value…` record per line; integers, and picojoules as %.17g), so that Tools/cross-test can
 * compare the output of different architectures byte for byte and the energies with `joule energy`.
 *
 * Usage: joule-demo MODEL.jmod INPUT [options]
 *   INPUT            raw C·H·W bytes (CHW order), or `seed:N` for deterministic pseudo-random bytes
 *   --mode M         qnn | snn-layerwise | snn-streaming   (default qnn)
 *   -T N             timesteps 1…255                       (default: the model's)
 *   --readout R      membrane | spikes                     (default membrane)
 *   --layers         also print every layer's counters and energies
 *   --matrix         run every mode × T ∈ {1, default, 255} × read-out (membrane only for the QNN)
 *   --prepack        prepack after each bind (joule_prepack); outputs are the same
 * Exit status: 0 on success, 1 on a Joule error (its message on stderr), 2 on bad usage.
 * With JOULE_DEMO_MARKS set in the environment (Linux only), each joule_run is framed by two
 * syscalls numbered 0x4A4F — unknown to Linux, they return ENOSYS — that the `insnmark` QEMU
 * plugin (../shared/tools/qemu-plugins) turns into instruction counts of the run alone.
 *
 * The demo itself reads files with stdio and allocates its buffers with malloc; the library it
 * calls allocates nothing.
 */
#if defined(__linux__)
#define _DEFAULT_SOURCE 1 /* syscall() */
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joule.h"

#if defined(__linux__)
#include <unistd.h>
#include <sys/syscall.h>
/* The insnmark plugin's marker: a syscall Linux does not know (returns ENOSYS). */
static void mark(long label) {
    if (getenv("JOULE_DEMO_MARKS")) (void)syscall(0x4A4F, label);
}
#else
static void mark(long label) { (void)label; }
#endif

static const char *const mode_names[3] = {"qnn", "snn-layerwise", "snn-streaming"};
static const char *const readout_names[2] = {"membrane", "spikes"};
static const char *const field_names[15] = {
    "dense_synaptic_ops", "effective_macs", "effective_acs", "input_events", "output_events",
    "output_level_sum", "neuron_updates", "membrane_reads", "membrane_writes", "weight_read_bits",
    "activation_read_bits", "activation_write_bits", "input_traffic_bits", "output_traffic_bits",
    "leak_updates"};

static int usage(void) {
    fprintf(stderr, "usage: joule-demo MODEL.jmod INPUT|seed:N [--mode qnn|snn-layerwise|snn-streaming] "
                    "[-T 1..255] [--readout membrane|spikes] [--layers] [--matrix] [--prepack]\n");
    return 2;
}

static int check(joule_status_t s, const char *what) {
    if (s == JOULE_OK) return 0;
    fprintf(stderr, "joule-demo: %s: error %d: %s\n", what, (int)s, joule_error_message(s));
    return 1;
}

static uint8_t *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "joule-demo: %s: cannot open\n", path); return NULL; }
    if (fseek(f, 0, SEEK_END) != 0) { fclose(f); return NULL; }
    long n = ftell(f);
    rewind(f);
    /* 16-byte aligned, rounded up: the model's sections are aligned relative to its start. */
    uint8_t *buf = n >= 0 ? aligned_alloc(16, ((size_t)n + 16) & ~(size_t)15) : NULL;
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "joule-demo: %s: cannot read\n", path);
        fclose(f); free(buf); return NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static void print_counters(const char *label, const joule_counters_t *c) {
    const uint64_t *f = &c->dense_synaptic_ops;
    printf("%s", label);
    for (int k = 0; k < 15; k++) printf(" %s=%llu", field_names[k], (unsigned long long)f[k]);
    printf("\n");
}

static void print_energy(const joule_energy_t *e) {
    printf(" total=%.17g compute=%.17g on_chip=%.17g off_chip=%.17g network=%.17g\n", e->total_pj, e->compute_pj,
           e->on_chip_pj, e->off_chip_pj, e->network_pj);
}

/* --prepack: joule_prepack after each bind (same outputs; the per-run work it saves is gone). */
static int prepack = 0;

static int run_one(joule_model_t *m, const joule_model_info_t *info, const uint8_t *input, uint32_t mode,
                   uint32_t t, uint32_t readout, int layers) {
    size_t need = joule_arena_size(m, mode);
    void *arena = aligned_alloc(JOULE_ARENA_ALIGN, (need + 15) & ~(size_t)15);
    int64_t *scores = malloc(sizeof(int64_t) * (info->output_count ? info->output_count : 1));
    void *packed = NULL;
    int rc = 1;
    if (!arena || !scores) { fprintf(stderr, "joule-demo: out of memory\n"); goto done; }
    joule_status_t bound = joule_bind(m, arena, need, mode);
    if (bound == JOULE_E_NEURONS_NEED_STREAMING) {  /* leaky neurons: a refusal, not a failure */
        printf("run mode=%s T=%u refused: %s\n", mode_names[mode], (unsigned)t, joule_error_message(bound));
        rc = 0;
        goto done;
    }
    if (check(bound, "bind")) goto done;
    if (prepack) {
        size_t n = joule_prepack_size(m, mode);
        if (n) {
            packed = aligned_alloc(JOULE_PREPACK_ALIGN, (n + JOULE_PREPACK_ALIGN - 1) & ~(size_t)(JOULE_PREPACK_ALIGN - 1));
            if (!packed) { fprintf(stderr, "joule-demo: out of memory\n"); goto done; }
            if (check(joule_prepack(m, packed, n), "prepack")) goto done;
        }
    }
    if (check(joule_set_input(m, input, info->input_bytes), "set input")) goto done;
    mark(1);
    joule_status_t ran = joule_run(m, t, readout);
    mark(2);
    if (check(ran, "run")) goto done;
    if (check(joule_get_scores(m, scores, info->output_count), "scores")) goto done;
    printf("run mode=%s T=%u readout=%s arena=%zu\n", mode_names[mode], (unsigned)t,
           mode == JOULE_MODE_QNN ? "-" : readout_names[readout], need);
    printf("scores");
    uint32_t best = 0;
    for (uint32_t j = 0; j < info->output_count; j++) {
        printf(" %lld", (long long)scores[j]);
        if (scores[j] > scores[best]) best = j;
    }
    printf("\npredicted %u\n", (unsigned)best);
    joule_counters_t c;
    if (layers) {
        for (uint32_t i = 0; i < info->layer_count; i++) {
            char name[JOULE_LAYER_NAME_MAX + 1], label[JOULE_LAYER_NAME_MAX + 24];
            if (check(joule_layer_name(m, i, name, sizeof name), "layer name")) goto done;
            if (check(joule_layer_counters(m, i, &c), "layer counters")) goto done;
            snprintf(label, sizeof label, "layer %u %s", (unsigned)i, name);
            print_counters(label, &c);
        }
    }
    if (check(joule_total_counters(m, &c), "total counters")) goto done;
    print_counters("total", &c);
    for (uint32_t b = 0; b < joule_board_count(); b++) {
        joule_energy_t e;
        for (uint32_t i = 0; layers && i < info->layer_count; i++) {
            if (check(joule_layer_energy(m, i, b, &e), "layer energy")) goto done;
            printf("energy layer %u board=%s", (unsigned)i, joule_board_name(b));
            print_energy(&e);
        }
        if (check(joule_total_energy(m, b, &e), "total energy")) goto done;
        printf("energy total board=%s", joule_board_name(b));
        print_energy(&e);
    }
    rc = 0;
done:
    free(arena);
    free(packed);
    free(scores);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 3) return usage();
    const char *model_path = argv[1], *input_arg = argv[2];
    uint32_t mode = JOULE_MODE_QNN, readout = JOULE_READOUT_MEMBRANE, t = 0;
    int layers = 0, matrix = 0;
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--layers")) layers = 1;
        else if (!strcmp(a, "--prepack")) prepack = 1;
        else if (!strcmp(a, "--matrix")) matrix = 1;
        else if (i + 1 < argc && !strcmp(a, "--mode")) {
            const char *v = argv[++i];
            for (mode = 0; mode < 3 && strcmp(v, mode_names[mode]); mode++) {}
            if (mode == 3) return usage();
        } else if (i + 1 < argc && !strcmp(a, "--readout")) {
            const char *v = argv[++i];
            for (readout = 0; readout < 2 && strcmp(v, readout_names[readout]); readout++) {}
            if (readout == 2) return usage();
        } else if (i + 1 < argc && !strcmp(a, "-T")) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end || v > 0xFFFFFFFFul) return usage();
            t = (uint32_t)v;  /* 0 or > 255 goes to the library, which refuses it */
            if (t == 0) t = UINT32_MAX;
        } else return usage();
    }

    size_t model_size = 0;
    uint8_t *model_bytes = read_file(model_path, &model_size);
    if (!model_bytes) return 1;
    joule_model_t m;
    joule_error_detail_t d;
    if (joule_open(&m, model_bytes, model_size, &d) != JOULE_OK) {
        fprintf(stderr, "joule-demo: %s: error %d: %s (layer %d, byte offset %lld)\n", model_path, (int)d.code,
                joule_error_message(d.code), (int)d.layer, (long long)d.byte_offset);
        return 1;
    }
    joule_model_info_t info;
    if (check(joule_model_info(&m, &info), "info")) return 1;

    uint8_t *input = malloc(info.input_bytes);
    if (!input) return 1;
    if (!strncmp(input_arg, "seed:", 5)) {
        uint32_t x = (uint32_t)strtoul(input_arg + 5, NULL, 10) * 2654435761u + 1u;
        for (uint32_t i = 0; i < info.input_bytes; i++) {  /* xorshift32 */
            x ^= x << 13; x ^= x >> 17; x ^= x << 5;
            input[i] = (uint8_t)(x >> 24);
        }
    } else {
        size_t n = 0;
        uint8_t *bytes = read_file(input_arg, &n);
        if (!bytes) return 1;
        if (n != info.input_bytes) {
            fprintf(stderr, "joule-demo: %s: %zu bytes, the model expects %u (C·H·W)\n", input_arg, n,
                    (unsigned)info.input_bytes);
            return 1;
        }
        memcpy(input, bytes, n);
        free(bytes);
    }

    printf("model layers=%u input=%ux%ux%u outputs=%u default_T=%u\n", (unsigned)info.layer_count,
           (unsigned)info.input_channels, (unsigned)info.input_height, (unsigned)info.input_width,
           (unsigned)info.output_count, (unsigned)info.default_timesteps);
    int rc = 0;
    if (!matrix) {
        rc = run_one(&m, &info, input, mode, t ? (t == UINT32_MAX ? 0 : t) : info.default_timesteps, readout, layers);
    } else {
        const uint32_t ts[3] = {1, info.default_timesteps, 255};
        for (uint32_t md = 0; md < 3 && !rc; md++)
            for (int k = 0; k < 3 && !rc; k++)
                for (uint32_t r = 0; r < (md == JOULE_MODE_QNN ? 1u : 2u) && !rc; r++)
                    rc = run_one(&m, &info, input, md, ts[k], r, layers);
    }
    free(input);
    free(model_bytes);
    return rc;
}
