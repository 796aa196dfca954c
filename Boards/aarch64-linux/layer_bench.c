/* Per-layer instructions of one Joule inference on 64-bit ARM Linux, for Tools/a-bench (never part
 * of libjoule.a): opens MODEL.jmod, binds MODE, prepacks (joule_prepack) and runs one inference at the model's T — a first
 * run, as the demo's counted one — through joule_bench_run_marked (Boards/mps2-an386/BenchHook.swift:
 * joule_run with the core's after-layer hook as a callback), which calls syscall(0x4A4F, 100 + i) after layer i; a syscall(0x4A4F, 99) precedes it. Under the
 * insnmark QEMU plugin each marker prints the instructions since the previous one: marker 100 + i
 * is layer i's count. Prints per layer "layer I NAME DENSE_SYNAPTIC_OPS" (its multiply-adds over
 * valid taps), the kernel that ran each (LayerKernel raw values, one line "kernels: k0 k1 ...")
 * and the run's scores.
 * Usage: joule-layers MODEL.jmod INPUT.bin qnn|snn-layerwise|snn-streaming */
#define _DEFAULT_SOURCE 1 /* syscall() */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "joule.h"

int32_t joule_bench_run_marked(joule_model_t *model, uint32_t timesteps, uint32_t readout,
                               void (*mark)(uint32_t layer), uint8_t *kernels, uint32_t layers);

static void layer_mark(uint32_t layer) { (void)syscall(0x4A4F, 100 + layer); }

static void *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "joule-layers: cannot open %s\n", path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *bytes = aligned_alloc(64, ((size_t)n + 63) & ~(size_t)63);
    if (!bytes || fread(bytes, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "joule-layers: cannot read %s\n", path); exit(2); }
    fclose(f);
    *size = (size_t)n;
    return bytes;
}

static void check(const char *what, joule_status_t s) {
    if (s == JOULE_OK) return;
    fprintf(stderr, "joule-layers: %s: %s\n", what, joule_error_message(s));
    exit(1);
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: joule-layers MODEL.jmod INPUT.bin qnn|snn-layerwise|snn-streaming\n"); return 2; }
    uint32_t mode = strcmp(argv[3], "qnn") == 0 ? JOULE_MODE_QNN
                  : strcmp(argv[3], "snn-layerwise") == 0 ? JOULE_MODE_SNN_LAYERWISE
                  : strcmp(argv[3], "snn-streaming") == 0 ? JOULE_MODE_SNN_STREAMING : 99u;
    if (mode == 99u) { fprintf(stderr, "joule-layers: unknown mode %s\n", argv[3]); return 2; }
    size_t model_size, input_size;
    void *bytes = read_file(argv[1], &model_size);
    void *input = read_file(argv[2], &input_size);
    static joule_model_t model;
    check("joule_open", joule_open(&model, bytes, model_size, NULL));
    joule_model_info_t info;
    check("joule_model_info", joule_model_info(&model, &info));
    size_t arena_size = (joule_arena_size(&model, mode) + 63) & ~(size_t)63;
    void *arena = aligned_alloc(64, arena_size);
    if (!arena) { fprintf(stderr, "joule-layers: no memory for the arena\n"); return 1; }
    check("joule_bind", joule_bind(&model, arena, arena_size, mode));
    size_t packed_size = joule_prepack_size(&model, mode);
    if (packed_size) {  /* prepacked, as the demo runs it in Tools/a-bench */
        void *packed = aligned_alloc(JOULE_PREPACK_ALIGN, (packed_size + JOULE_PREPACK_ALIGN - 1) & ~(size_t)(JOULE_PREPACK_ALIGN - 1));
        if (!packed) { fprintf(stderr, "joule-layers: no memory for the prepacked data\n"); return 1; }
        check("joule_prepack", joule_prepack(&model, packed, packed_size));
    }
    uint8_t *kernels = calloc(info.layer_count, 1);
    if (!kernels) return 1;
    check("joule_set_input", joule_set_input(&model, input, input_size));
    (void)syscall(0x4A4F, 99);
    check("joule_bench_run_marked", joule_bench_run_marked(&model, info.default_timesteps, JOULE_READOUT_MEMBRANE,
                                                           layer_mark, kernels, info.layer_count));
    for (uint32_t i = 0; i < info.layer_count; i++) {
        char name[JOULE_LAYER_NAME_MAX + 1];
        joule_counters_t c;
        check("joule_layer_name", joule_layer_name(&model, i, name, sizeof name));
        check("joule_layer_counters", joule_layer_counters(&model, i, &c));
        printf("layer %u %s %llu\n", i, name, (unsigned long long)c.dense_synaptic_ops);
    }
    printf("kernels:");
    for (uint32_t i = 0; i < info.layer_count; i++) printf(" %u", kernels[i]);
    printf("\n");
    int64_t *scores = calloc(info.output_count, sizeof *scores);
    if (!scores) return 1;
    check("joule_get_scores", joule_get_scores(&model, scores, info.output_count));
    printf("scores");
    for (uint32_t j = 0; j < info.output_count; j++) printf(" %lld", (long long)scores[j]);
    printf("\n");
    return 0;
}
