/*
 * cmocka suite for the Joule C API (include/joule.h), end to end on a real packed model: the
 * fixture Tests/Fixtures/tiny.json packed by packmodel and embedded by Tools/bin2c as
 * `joule_tiny_model`. Expected values come from Tests/Fixtures/tiny_expected.h, a numpy reference
 * of the integer model written by make_fixture.py (independent of the Swift runtime).
 * Built and run by Tools/cross-test on the host and, under qemu, on aarch64 and armv7hf.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "joule.h"
#include "tiny_expected.h"

extern const uint8_t joule_tiny_model[];
extern const size_t joule_tiny_model_size;
/* Tests/Fixtures/tiny-leaky.json: the same weights, leaky neurons on every weighted layer. */
extern const uint8_t joule_tiny_leaky_model[];
extern const size_t joule_tiny_leaky_model_size;

#define ARENA_CAPACITY (64 * 1024)
static _Alignas(16) uint8_t arena[ARENA_CAPACITY + 16];
static _Alignas(16) uint8_t model_copy[8192];
static uint8_t input[TINY_INPUT_BYTES];

static const uint32_t modes[3] = {JOULE_MODE_QNN, JOULE_MODE_SNN_LAYERWISE, JOULE_MODE_SNN_STREAMING};

/* ---- Helpers -------------------------------------------------------------------------------- */

static void load_input(void) {
    /* tiny-input.bin, embedded by the build as `joule_tiny_input`. */
    extern const uint8_t joule_tiny_input[];
    extern const size_t joule_tiny_input_size;
    assert_int_equal(joule_tiny_input_size, TINY_INPUT_BYTES);
    memcpy(input, joule_tiny_input, TINY_INPUT_BYTES);
}

static void open_tiny(joule_model_t *m) {
    assert_int_equal(joule_open(m, joule_tiny_model, joule_tiny_model_size, NULL), JOULE_OK);
}

static void bind_mode(joule_model_t *m, uint32_t mode) {
    size_t need = joule_arena_size(m, mode);
    assert_true(need > 0 && need <= ARENA_CAPACITY);
    assert_int_equal(joule_bind(m, arena, need, mode), JOULE_OK);
}

static void run_once(joule_model_t *m, uint32_t t, uint32_t readout, int64_t scores[TINY_OUTPUTS]) {
    assert_int_equal(joule_set_input(m, input, TINY_INPUT_BYTES), JOULE_OK);
    assert_int_equal(joule_run(m, t, readout), JOULE_OK);
    assert_int_equal(joule_get_scores(m, scores, TINY_OUTPUTS), JOULE_OK);
}

static uint32_t crc32_ieee(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static void wr32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

/* Recomputes the header CRC (bytes 16…19 read as zero) after a deliberate edit. */
static void reseal(uint8_t *file, size_t n) {
    wr32(file + 16, 0);
    wr32(file + 16, crc32_ieee(file, n));
}

/* A private copy of the model to corrupt. */
static uint8_t *copy_model(void) {
    assert_true(joule_tiny_model_size <= sizeof model_copy);
    memcpy(model_copy, joule_tiny_model, joule_tiny_model_size);
    return model_copy;
}

/* File offset of section `kind` (1 model, 2 layers, 3 plans, 4 data). */
static uint32_t section_offset(const uint8_t *file, uint32_t kind) {
    uint32_t count = rd32(file + 20), table = rd32(file + 24);
    for (uint32_t s = 0; s < count; s++)
        if (rd32(file + table + 16 * s) == kind) return rd32(file + table + 16 * s + 4);
    fail_msg("section %u not found", kind);
    return 0;
}

static joule_status_t open_copy(joule_error_detail_t *detail) {
    joule_model_t m;
    return joule_open(&m, model_copy, joule_tiny_model_size, detail);
}

/* ---- Opening and shape ---------------------------------------------------------------------- */

static void test_open_and_info(void **state) {
    (void)state;
    joule_model_t m;
    joule_error_detail_t d = {99, 99, 99};
    assert_int_equal(joule_open(&m, joule_tiny_model, joule_tiny_model_size, &d), JOULE_OK);
    assert_int_equal(d.code, JOULE_OK);
    assert_int_equal(d.layer, -1);
    assert_int_equal(d.byte_offset, -1);
    joule_model_info_t info;
    assert_int_equal(joule_model_info(&m, &info), JOULE_OK);
    assert_int_equal(info.layer_count, TINY_LAYERS);
    assert_int_equal(info.input_channels, 2);
    assert_int_equal(info.input_height, 12);
    assert_int_equal(info.input_width, 12);
    assert_int_equal(info.input_bytes, TINY_INPUT_BYTES);
    assert_int_equal(info.output_count, TINY_OUTPUTS);
    assert_int_equal(info.default_timesteps, TINY_DEFAULT_T);
    assert_int_equal(info.reserved, 0);
    static const char *names[TINY_LAYERS] = {"conv1", "pool1", "conv2", "conv3", "pool2", "fc1", "head"};
    char name[JOULE_LAYER_NAME_MAX + 1];
    for (uint32_t i = 0; i < TINY_LAYERS; i++) {
        assert_int_equal(joule_layer_name(&m, i, name, sizeof name), JOULE_OK);
        assert_string_equal(name, names[i]);
    }
    assert_int_equal(joule_layer_name(&m, 0, name, 5), JOULE_E_BUFFER_SIZE_MISMATCH);  /* "conv1" + NUL */
    assert_int_equal(joule_layer_name(&m, 0, name, 6), JOULE_OK);
    assert_int_equal(joule_layer_name(&m, TINY_LAYERS, name, sizeof name), JOULE_E_BAD_ARGUMENT);
    assert_int_equal(joule_layer_name(&m, 0, NULL, sizeof name), JOULE_E_BAD_ARGUMENT);
    assert_true(sizeof(joule_model_t) == JOULE_MODEL_BYTES);
    assert_true(sizeof(joule_counters_t) == 15 * sizeof(uint64_t));
    assert_int_equal(JOULE_ABI_VERSION, 2);
}

static void test_arena_sizes(void **state) {
    (void)state;
    joule_model_t m;
    open_tiny(&m);
    size_t q = joule_arena_size(&m, JOULE_MODE_QNN);
    size_t l = joule_arena_size(&m, JOULE_MODE_SNN_LAYERWISE);
    size_t s = joule_arena_size(&m, JOULE_MODE_SNN_STREAMING);
    /* The arena bytes packmodel planned for each mode (read from the plans section, 16-aligned)
     * plus 7 layers × 120 counter bytes: the same on every target. */
    const uint8_t *f = joule_tiny_model;
    uint32_t plans = section_offset(f, 3);
    size_t got[3] = {q, l, s};
    for (uint32_t mode = 0; mode < 3; mode++) {
        uint32_t planned = rd32(f + plans + 16 + mode * (16 + TINY_LAYERS * 24) + 4);
        assert_true(planned > 0);
        assert_int_equal(got[mode], ((planned + 15u) & ~15u) + TINY_LAYERS * 120);
    }
    /* Streaming keeps every layer's state for the whole run: the largest plan. (The QNN's default
     * plan carries the fast kernels' scratch — event scatter, dense convolution — and may exceed
     * the layer-wise SNN's on small models such as this one.) */
    assert_true(q < s && l < s);
    assert_int_equal(joule_arena_size(&m, 3), 0);
    assert_int_equal(joule_arena_size(NULL, JOULE_MODE_QNN), 0);
    joule_model_t closed;
    memset(&closed, 0, sizeof closed);
    assert_int_equal(joule_arena_size(&closed, JOULE_MODE_QNN), 0);
}

/* ---- Outputs and counters ------------------------------------------------------------------- */

static void check_qnn(uint32_t t, const int64_t *want_scores, const uint64_t *want_events,
                      const uint64_t *want_levels) {
    joule_model_t m;
    open_tiny(&m);
    bind_mode(&m, JOULE_MODE_QNN);
    int64_t scores[TINY_OUTPUTS];
    run_once(&m, t, JOULE_READOUT_MEMBRANE, scores);
    for (int j = 0; j < TINY_OUTPUTS; j++) assert_int_equal(scores[j], want_scores[j]);
    joule_counters_t total, sum, c;
    memset(&sum, 0, sizeof sum);
    for (uint32_t i = 0; i < TINY_LAYERS; i++) {
        assert_int_equal(joule_layer_counters(&m, i, &c), JOULE_OK);
        assert_int_equal(c.dense_synaptic_ops, tiny_dense_ops[i]);
        assert_int_equal(c.neuron_updates, tiny_neurons[i]);
        if (i + 1 < TINY_LAYERS) {
            assert_int_equal(c.output_events, want_events[i]);
            assert_int_equal(c.output_level_sum, want_levels[i]);
        }
        assert_int_equal(c.membrane_reads, 0);
        assert_int_equal(c.membrane_writes, 0);
        /* ACs in a QNN: only pooling windows and residual adds (pool1, conv2, pool2). */
        if (i == 0 || i == 3 || i == 5 || i == 6) assert_int_equal(c.effective_acs, 0);
        assert_true(c.effective_macs <= c.dense_synaptic_ops);
        const uint64_t *f = &c.dense_synaptic_ops, *g = &sum.dense_synaptic_ops;
        for (int k = 0; k < 15; k++) ((uint64_t *)g)[k] += f[k];
    }
    assert_int_equal(joule_total_counters(&m, &total), JOULE_OK);
    assert_memory_equal(&total, &sum, sizeof total);
    assert_true(total.effective_macs > 0 && total.effective_macs < total.dense_synaptic_ops);
}

static void test_qnn_matches_reference_t4(void **state) {
    (void)state;
    check_qnn(4, tiny_scores_t4, tiny_output_events_t4, tiny_output_level_sum_t4);
}

static void test_qnn_matches_reference_t9(void **state) {
    (void)state;
    check_qnn(9, tiny_scores_t9, tiny_output_events_t9, tiny_output_level_sum_t9);
}

/* The layer-wise SNN equals the QNN: membrane scores are the QNN scores, spike counts are codes. */
static void test_snn_layerwise_equals_qnn(void **state) {
    (void)state;
    joule_model_t m;
    open_tiny(&m);
    bind_mode(&m, JOULE_MODE_SNN_LAYERWISE);
    const uint32_t ts[2] = {4, 9};
    const int64_t *want[2] = {tiny_scores_t4, tiny_scores_t9};
    const uint64_t *levels[2] = {tiny_output_level_sum_t4, tiny_output_level_sum_t9};
    for (int k = 0; k < 2; k++) {
        int64_t scores[TINY_OUTPUTS];
        run_once(&m, ts[k], JOULE_READOUT_MEMBRANE, scores);
        for (int j = 0; j < TINY_OUTPUTS; j++) assert_int_equal(scores[j], want[k][j]);
        for (uint32_t i = 0; i < TINY_LAYERS; i++) {
            joule_counters_t c;
            assert_int_equal(joule_layer_counters(&m, i, &c), JOULE_OK);
            if (i + 1 < TINY_LAYERS) {
                assert_int_equal(c.output_level_sum, levels[k][i]);
                assert_int_equal(c.output_events, c.output_level_sum);  /* spikes */
            }
            assert_int_equal(c.membrane_reads, c.membrane_writes);
            /* Dense SOPs: the analog first layer once, spike-fed layers once per timestep. */
            assert_int_equal(c.dense_synaptic_ops, i == 0 ? tiny_dense_ops[i] : ts[k] * tiny_dense_ops[i]);
        }
        joule_counters_t total;
        assert_int_equal(joule_total_counters(&m, &total), JOULE_OK);
        assert_true(total.effective_acs > 0);
        assert_true(total.membrane_reads > 0);
    }
}

static void test_spike_count_readout_in_range(void **state) {
    (void)state;
    for (int mode = 1; mode < 3; mode++) {
        joule_model_t m;
        open_tiny(&m);
        bind_mode(&m, modes[mode]);
        const uint32_t ts[3] = {1, 4, 9};
        for (int k = 0; k < 3; k++) {
            int64_t scores[TINY_OUTPUTS];
            run_once(&m, ts[k], JOULE_READOUT_SPIKE_COUNT, scores);
            int64_t sum = 0;
            for (int j = 0; j < TINY_OUTPUTS; j++) {
                assert_in_range(scores[j], 0, ts[k]);
                sum += scores[j];
            }
            joule_counters_t head;
            assert_int_equal(joule_layer_counters(&m, TINY_LAYERS - 1, &head), JOULE_OK);
            assert_int_equal((uint64_t)sum, head.output_level_sum);
        }
    }
}

static void test_streaming_runs_and_counts(void **state) {
    (void)state;
    joule_model_t m;
    open_tiny(&m);
    bind_mode(&m, JOULE_MODE_SNN_STREAMING);
    int64_t scores[TINY_OUTPUTS];
    run_once(&m, 4, JOULE_READOUT_MEMBRANE, scores);
    joule_counters_t total;
    assert_int_equal(joule_total_counters(&m, &total), JOULE_OK);
    assert_true(total.effective_acs > 0);
    assert_int_equal(total.membrane_reads, total.membrane_writes);
    assert_true(total.neuron_updates >= 4 * 1152);  /* conv1 alone: 1152 neurons × 4 steps */
    /* The output layer's neuron count × T bounds its spikes in spike read-out. */
    int64_t spikes[TINY_OUTPUTS];
    run_once(&m, 4, JOULE_READOUT_SPIKE_COUNT, spikes);
    for (int j = 0; j < TINY_OUTPUTS; j++) assert_in_range(spikes[j], 0, 4);
}

/* Leaky neurons (format 1.2) run only in the streaming SNN: binding the other modes is refused,
 * and every weighted layer counts one leak update per neuron and step, pooling none. */
static void test_leaky_neurons_need_streaming(void **state) {
    (void)state;
    joule_model_t m;
    assert_int_equal(joule_open(&m, joule_tiny_leaky_model, joule_tiny_leaky_model_size, NULL), JOULE_OK);
    const uint32_t refused[2] = {JOULE_MODE_QNN, JOULE_MODE_SNN_LAYERWISE};
    for (int k = 0; k < 2; k++) {
        size_t need = joule_arena_size(&m, refused[k]);
        assert_true(need > 0 && need <= ARENA_CAPACITY);
        assert_int_equal(joule_bind(&m, arena, need, refused[k]), JOULE_E_NEURONS_NEED_STREAMING);
        assert_int_equal(joule_set_input(&m, input, TINY_INPUT_BYTES), JOULE_E_NOT_BOUND);
    }
    bind_mode(&m, JOULE_MODE_SNN_STREAMING);
    int64_t spikes[TINY_OUTPUTS];
    run_once(&m, 4, JOULE_READOUT_SPIKE_COUNT, spikes);
    for (int j = 0; j < TINY_OUTPUTS; j++) assert_in_range(spikes[j], 0, 4);
    const int weighted[TINY_LAYERS] = {1, 0, 1, 1, 0, 1, 1};  /* conv1 pool1 conv2 conv3 pool2 fc1 fc */
    uint64_t leaks = 0, spiked = 0;
    for (uint32_t l = 0; l < TINY_LAYERS; l++) {
        joule_counters_t c;
        assert_int_equal(joule_layer_counters(&m, l, &c), JOULE_OK);
        assert_true(c.neuron_updates > 0);
        assert_int_equal(c.leak_updates, weighted[l] ? c.neuron_updates : 0);
        leaks += c.leak_updates;
        spiked += c.output_events;
    }
    assert_true(spiked > 0);
    joule_counters_t total;
    assert_int_equal(joule_total_counters(&m, &total), JOULE_OK);
    assert_int_equal(total.leak_updates, leaks);
}

/* Same input, same mode → the same scores and counters; rebinding and other modes in between
 * change nothing. Also T = 1 and T = 255, the ends of the range. */
static void test_repeatable_and_boundary_t(void **state) {
    (void)state;
    joule_model_t m;
    open_tiny(&m);
    for (int mode = 0; mode < 3; mode++) {
        const uint32_t ts[2] = {1, 255};
        for (int k = 0; k < 2; k++) {
            int64_t a[TINY_OUTPUTS], b[TINY_OUTPUTS];
            joule_counters_t ca, cb;
            bind_mode(&m, modes[mode]);
            run_once(&m, ts[k], JOULE_READOUT_MEMBRANE, a);
            assert_int_equal(joule_total_counters(&m, &ca), JOULE_OK);
            bind_mode(&m, modes[(mode + 1) % 3]);
            run_once(&m, 4, JOULE_READOUT_MEMBRANE, b);
            bind_mode(&m, modes[mode]);
            run_once(&m, ts[k], JOULE_READOUT_MEMBRANE, b);
            assert_int_equal(joule_total_counters(&m, &cb), JOULE_OK);
            assert_memory_equal(a, b, sizeof a);
            assert_memory_equal(&ca, &cb, sizeof ca);
        }
    }
}

/* ---- Error paths: bad model bytes ----------------------------------------------------------- */

static void test_open_truncated(void **state) {
    (void)state;
    joule_model_t m;
    joule_error_detail_t d;
    assert_int_equal(joule_open(&m, joule_tiny_model, 0, &d), JOULE_E_TRUNCATED);
    assert_int_equal(joule_open(&m, joule_tiny_model, 63, &d), JOULE_E_TRUNCATED);  /* < header */
    assert_int_equal(d.code, JOULE_E_TRUNCATED);
    assert_int_equal(joule_open(&m, joule_tiny_model, joule_tiny_model_size - 1, &d), JOULE_E_TRUNCATED);
    assert_int_equal(joule_open(&m, joule_tiny_model, joule_tiny_model_size / 2, NULL), JOULE_E_TRUNCATED);
    /* A failed open leaves the handle unusable. */
    assert_int_equal(joule_bind(&m, arena, ARENA_CAPACITY, JOULE_MODE_QNN), JOULE_E_NOT_OPEN);
    assert_int_equal(joule_set_input(&m, input, TINY_INPUT_BYTES), JOULE_E_NOT_OPEN);
}

static void test_open_bad_magic(void **state) {
    (void)state;
    uint8_t *f = copy_model();
    f[0] = 'X';
    joule_error_detail_t d;
    assert_int_equal(open_copy(&d), JOULE_E_BAD_MAGIC);
    assert_int_equal(d.byte_offset, 0);
    assert_int_equal(d.layer, -1);
}

static void test_open_bad_version(void **state) {
    (void)state;
    uint8_t *f = copy_model();
    f[4] = 2;  /* major version 2 */
    reseal(f, joule_tiny_model_size);
    assert_int_equal(open_copy(NULL), JOULE_E_UNSUPPORTED_VERSION);
}

static void test_open_bad_crc(void **state) {
    (void)state;
    uint8_t *f = copy_model();
    f[joule_tiny_model_size - 1] ^= 0x01;  /* one bit of the last tensor */
    joule_error_detail_t d;
    assert_int_equal(open_copy(&d), JOULE_E_CHECKSUM_MISMATCH);
    assert_int_equal(d.byte_offset, 16);
    f = copy_model();
    f[16] ^= 0x80;  /* the stored checksum itself */
    assert_int_equal(open_copy(NULL), JOULE_E_CHECKSUM_MISMATCH);
}

/* Corruptions with a valid checksum reach the structural validator. */
static void test_open_bad_layer_record(void **state) {
    (void)state;
    uint8_t *f = copy_model();
    uint32_t layers = section_offset(f, 2);
    f[layers + 96 * 2] = 99;  /* layer 2's kind */
    reseal(f, joule_tiny_model_size);
    joule_error_detail_t d;
    assert_int_equal(open_copy(&d), JOULE_E_BAD_LAYER_RECORD);
    assert_int_equal(d.layer, 2);
}

static void test_open_shape_mismatch(void **state) {
    (void)state;
    uint8_t *f = copy_model();
    uint32_t layers = section_offset(f, 2);
    f[layers + 96 * 3 + 14] += 1;  /* conv3's output channels no longer chain into pool2 */
    reseal(f, joule_tiny_model_size);
    joule_status_t s = open_copy(NULL);
    assert_true(s == JOULE_E_SHAPE_MISMATCH || s == JOULE_E_TENSOR_OUT_OF_RANGE);
}

static void test_open_bad_section_table(void **state) {
    (void)state;
    uint8_t *f = copy_model();
    wr32(f + 24, 0x7FFFFFF0u);  /* section table far outside the file */
    reseal(f, joule_tiny_model_size);
    assert_int_equal(open_copy(NULL), JOULE_E_SECTION_OUT_OF_RANGE);
}

static void test_open_bad_arguments(void **state) {
    (void)state;
    joule_model_t m;
    assert_int_equal(joule_open(NULL, joule_tiny_model, joule_tiny_model_size, NULL), JOULE_E_BAD_ARGUMENT);
    assert_int_equal(joule_open(&m, NULL, 64, NULL), JOULE_E_BAD_ARGUMENT);
    static _Alignas(16) uint8_t big[JOULE_MODEL_BYTES + 16];
    assert_int_equal(joule_open((joule_model_t *)(big + 1), joule_tiny_model, joule_tiny_model_size, NULL),
                     JOULE_E_BAD_ARGUMENT);  /* misaligned handle storage */
}

/* ---- Error paths: arena, input, T, read-out, order of calls --------------------------------- */

static void test_arena_too_small_or_misaligned(void **state) {
    (void)state;
    joule_model_t m;
    open_tiny(&m);
    for (int mode = 0; mode < 3; mode++) {
        size_t need = joule_arena_size(&m, modes[mode]);
        assert_int_equal(joule_bind(&m, arena, need - 1, modes[mode]), JOULE_E_ARENA_TOO_SMALL);
        assert_int_equal(joule_bind(&m, arena, 0, modes[mode]), JOULE_E_ARENA_TOO_SMALL);
        assert_int_equal(joule_bind(&m, arena + 8, need + 8, modes[mode]), JOULE_E_ARENA_TOO_SMALL);
        assert_int_equal(joule_bind(&m, NULL, need, modes[mode]), JOULE_E_ARENA_TOO_SMALL);
        /* A failed bind leaves the handle unbound. */
        assert_int_equal(joule_set_input(&m, input, TINY_INPUT_BYTES), JOULE_E_NOT_BOUND);
        assert_int_equal(joule_bind(&m, arena + 16, need, modes[mode]), JOULE_OK);
    }
    assert_int_equal(joule_bind(&m, arena, ARENA_CAPACITY, 3), JOULE_E_BAD_ARGUMENT);
    assert_string_equal(joule_error_message(JOULE_E_ARENA_TOO_SMALL),
                        "arena too small: the arena is smaller than joule_arena_size() or not 16-byte aligned");
}

static void test_wrong_input_size(void **state) {
    (void)state;
    joule_model_t m;
    open_tiny(&m);
    bind_mode(&m, JOULE_MODE_QNN);
    assert_int_equal(joule_set_input(&m, input, TINY_INPUT_BYTES - 1), JOULE_E_BUFFER_SIZE_MISMATCH);
    assert_int_equal(joule_set_input(&m, input, TINY_INPUT_BYTES + 1), JOULE_E_BUFFER_SIZE_MISMATCH);
    assert_int_equal(joule_set_input(&m, input, 0), JOULE_E_BUFFER_SIZE_MISMATCH);
    assert_int_equal(joule_set_input(&m, NULL, TINY_INPUT_BYTES), JOULE_E_BAD_ARGUMENT);
    assert_int_equal(joule_run(&m, 4, JOULE_READOUT_MEMBRANE), JOULE_E_NO_INPUT);  /* none was set */
}

static void test_bad_timesteps_and_readout(void **state) {
    (void)state;
    joule_model_t m;
    open_tiny(&m);
    bind_mode(&m, JOULE_MODE_SNN_LAYERWISE);
    assert_int_equal(joule_set_input(&m, input, TINY_INPUT_BYTES), JOULE_OK);
    assert_int_equal(joule_run(&m, 0, JOULE_READOUT_MEMBRANE), JOULE_E_BAD_TIMESTEPS);
    assert_int_equal(joule_run(&m, 256, JOULE_READOUT_MEMBRANE), JOULE_E_BAD_TIMESTEPS);
    assert_int_equal(joule_run(&m, 0xFFFFFFFFu, JOULE_READOUT_MEMBRANE), JOULE_E_BAD_TIMESTEPS);
    assert_int_equal(joule_run(&m, 4, 2), JOULE_E_BAD_ARGUMENT);
    /* Refused runs leave the input set: a good run still matches the reference. */
    assert_int_equal(joule_run(&m, 4, JOULE_READOUT_MEMBRANE), JOULE_OK);
    int64_t scores[TINY_OUTPUTS];
    assert_int_equal(joule_get_scores(&m, scores, TINY_OUTPUTS), JOULE_OK);
    assert_memory_equal(scores, tiny_scores_t4, sizeof scores);
}

static void test_call_order_and_result_buffers(void **state) {
    (void)state;
    joule_model_t m;
    int64_t scores[TINY_OUTPUTS];
    joule_counters_t c;
    open_tiny(&m);
    assert_int_equal(joule_run(&m, 4, 0), JOULE_E_NOT_BOUND);
    assert_int_equal(joule_set_input(&m, input, TINY_INPUT_BYTES), JOULE_E_NOT_BOUND);
    assert_int_equal(joule_get_scores(&m, scores, TINY_OUTPUTS), JOULE_E_NOT_BOUND);
    bind_mode(&m, JOULE_MODE_QNN);
    assert_int_equal(joule_get_scores(&m, scores, TINY_OUTPUTS), JOULE_E_NO_RESULT);
    assert_int_equal(joule_total_counters(&m, &c), JOULE_E_NO_RESULT);
    assert_int_equal(joule_layer_counters(&m, 0, &c), JOULE_E_NO_RESULT);
    run_once(&m, 4, JOULE_READOUT_MEMBRANE, scores);
    assert_int_equal(joule_run(&m, 4, 0), JOULE_E_NO_INPUT);  /* the run consumed the input */
    assert_int_equal(joule_get_scores(&m, scores, TINY_OUTPUTS - 1), JOULE_E_BUFFER_SIZE_MISMATCH);
    assert_int_equal(joule_get_scores(&m, scores, TINY_OUTPUTS + 1), JOULE_E_BUFFER_SIZE_MISMATCH);
    assert_int_equal(joule_get_scores(&m, NULL, TINY_OUTPUTS), JOULE_E_BAD_ARGUMENT);
    assert_int_equal(joule_layer_counters(&m, TINY_LAYERS, &c), JOULE_E_BAD_ARGUMENT);
    assert_int_equal(joule_layer_counters(&m, 0, NULL), JOULE_E_BAD_ARGUMENT);
    assert_int_equal(joule_total_counters(&m, NULL), JOULE_E_BAD_ARGUMENT);
    assert_int_equal(joule_get_scores(&m, scores, TINY_OUTPUTS), JOULE_OK);
    assert_int_equal(joule_set_input(&m, input, TINY_INPUT_BYTES), JOULE_OK);  /* discards results */
    assert_int_equal(joule_get_scores(&m, scores, TINY_OUTPUTS), JOULE_E_NO_RESULT);
}

/* ---- Energy estimate ------------------------------------------------------------------------ */

static void assert_parts_sum(const joule_energy_t *e) {
    double parts = e->compute_pj + e->on_chip_pj + e->off_chip_pj + e->network_pj;
    assert_true(e->compute_pj >= 0 && e->on_chip_pj >= 0 && e->off_chip_pj >= 0 && e->network_pj >= 0);
    assert_true(fabs(e->total_pj - parts) <= 1e-9 * parts);
}

/* Every compiled-in board prices the last run: layers sum to the total, the twin follows the
 * bound mode and T the run's (exact values are checked against `joule energy` by Tools/cross-test). */
static void test_energy_estimate(void **state) {
    (void)state;
    uint32_t boards = joule_board_count();
    assert_true(boards >= 5);
    int nrf = 0;
    for (uint32_t b = 0; b < boards; b++) {
        const char *name = joule_board_name(b);
        assert_non_null(name);
        assert_true(strlen(name) > 0);
        if (!strcmp(name, "nrf52840-cortex-m4-64mhz")) nrf = 1;
        for (uint32_t c = 0; c < b; c++) assert_string_not_equal(name, joule_board_name(c));
    }
    assert_true(nrf);
    for (uint32_t b = 0; b < boards; b++) assert_int_equal(joule_board_find(joule_board_name(b)), b);
    assert_int_equal(joule_board_find("nrf52840"), boards);                      /* a prefix */
    assert_int_equal(joule_board_find("nrf52840-cortex-m4-64mhz-x"), boards);    /* longer */
    assert_int_equal(joule_board_find(""), boards);
    assert_int_equal(joule_board_find(NULL), boards);
    assert_null(joule_board_name(boards));
    assert_null(joule_board_name(0x80000000u));   /* beyond a 32-bit target's Int */
    assert_null(joule_board_name(UINT32_MAX));

    joule_model_t m;
    joule_energy_t e, layer;
    int64_t scores[TINY_OUTPUTS];
    open_tiny(&m);
    assert_int_equal(joule_total_energy(&m, 0, &e), JOULE_E_NOT_BOUND);
    double totals[3][2];   /* [QNN T=4, SNN layer-wise T=4, SNN layer-wise T=9][first board, last board] */
    const uint32_t modes[3] = {JOULE_MODE_QNN, JOULE_MODE_SNN_LAYERWISE, JOULE_MODE_SNN_LAYERWISE};
    const uint32_t ts[3] = {4, 4, 9};
    for (int k = 0; k < 3; k++) {
        bind_mode(&m, modes[k]);
        assert_int_equal(joule_total_energy(&m, 0, &e), JOULE_E_NO_RESULT);
        assert_int_equal(joule_layer_energy(&m, 0, 0, &e), JOULE_E_NO_RESULT);
        run_once(&m, ts[k], JOULE_READOUT_MEMBRANE, scores);
        for (uint32_t b = 0; b < boards; b++) {
            joule_energy_t sum = {0};
            for (uint32_t i = 0; i < TINY_LAYERS; i++) {
                assert_int_equal(joule_layer_energy(&m, i, b, &layer), JOULE_OK);
                assert_parts_sum(&layer);
                sum.compute_pj += layer.compute_pj;
                sum.on_chip_pj += layer.on_chip_pj;
                sum.off_chip_pj += layer.off_chip_pj;
                sum.network_pj += layer.network_pj;
                sum.total_pj += layer.total_pj;
            }
            assert_int_equal(joule_total_energy(&m, b, &e), JOULE_OK);
            assert_parts_sum(&e);
            assert_true(e.total_pj > 0);
            assert_true(fabs(e.total_pj - sum.total_pj) <= 1e-9 * e.total_pj);
            assert_true(fabs(e.compute_pj - sum.compute_pj) <= 1e-9 * e.total_pj);
            if (b == 0) totals[k][0] = e.total_pj;
            if (b == boards - 1) totals[k][1] = e.total_pj;
        }
        assert_int_equal(joule_layer_energy(&m, TINY_LAYERS, 0, &e), JOULE_E_BAD_ARGUMENT);
        assert_int_equal(joule_layer_energy(&m, 0, boards, &e), JOULE_E_BAD_ARGUMENT);
        assert_int_equal(joule_total_energy(&m, boards, &e), JOULE_E_BAD_ARGUMENT);
        assert_int_equal(joule_total_energy(&m, 0x80000000u, &e), JOULE_E_BAD_ARGUMENT);
        assert_int_equal(joule_layer_energy(&m, 0, UINT32_MAX, &e), JOULE_E_BAD_ARGUMENT);
        assert_int_equal(joule_layer_energy(&m, UINT32_MAX, 0, &e), JOULE_E_BAD_ARGUMENT);
        assert_int_equal(joule_total_energy(&m, 0, NULL), JOULE_E_BAD_ARGUMENT);
        assert_int_equal(joule_layer_energy(&m, 0, 0, NULL), JOULE_E_BAD_ARGUMENT);
    }
    /* The SNN twin is priced differently from the QNN on the same T, and more steps cost more. */
    assert_true(totals[0][0] != totals[1][0] && totals[0][1] != totals[1][1]);
    assert_true(totals[2][0] > totals[1][0] && totals[2][1] > totals[1][1]);
    assert_int_equal(joule_set_input(&m, input, TINY_INPUT_BYTES), JOULE_OK);  /* discards the result */
    assert_int_equal(joule_total_energy(&m, 0, &e), JOULE_E_NO_RESULT);
    joule_model_t closed;
    memset(&closed, 0, sizeof closed);
    assert_int_equal(joule_total_energy(&closed, 0, &e), JOULE_E_NOT_OPEN);
    assert_int_equal(joule_total_energy(NULL, 0, &e), JOULE_E_BAD_ARGUMENT);
}

/* joule_prepack: refused before bind, for NULL, short and misaligned buffers (runs unchanged);
 * with it the QNN and the layer-wise SNN give the same scores and every layer's counters as
 * without, at the model's T and at others; the streaming SNN has nothing to prepack; a rebind
 * forgets the buffer (a run after it is exact although the buffer is overwritten). The tiny
 * model's runs take kernels that read little or none of it: the demo with --prepack on watch-net
 * (Tools/cross-test, compared with the host) and PrepackAttachTests cover the reading. */
static _Alignas(32) uint8_t prepack_buffer[32 * 1024 + 32];
static void test_prepack(void **state) {
    (void)state;
    load_input();
    joule_model_t m;
    open_tiny(&m);
    assert_int_equal(joule_prepack(&m, prepack_buffer, sizeof prepack_buffer), JOULE_E_NOT_BOUND);
    assert_int_equal(joule_prepack_size(NULL, JOULE_MODE_QNN), 0);
    assert_int_equal(joule_prepack_size(&m, 7), 0);
    assert_int_equal(joule_prepack_size(&m, JOULE_MODE_SNN_STREAMING), 0);
    const uint32_t ts[3] = {1, 4, 9};
    for (int k = 0; k < 2; k++) {
        const uint32_t mode = modes[k];
        const size_t n = joule_prepack_size(&m, mode);
        assert_true(n > 0 && n + 32 <= sizeof prepack_buffer);
        for (int i = 0; i < 3; i++) {
            int64_t plain[TINY_OUTPUTS], packed[TINY_OUTPUTS];
            joule_counters_t a[8], b[8];
            joule_model_info_t info;
            assert_int_equal(joule_model_info(&m, &info), JOULE_OK);
            assert_true(info.layer_count <= 8);
            bind_mode(&m, mode);
            run_once(&m, ts[i], JOULE_READOUT_MEMBRANE, plain);
            for (uint32_t l = 0; l < info.layer_count; l++) assert_int_equal(joule_layer_counters(&m, l, &a[l]), JOULE_OK);
            assert_int_equal(joule_prepack(&m, NULL, n), JOULE_E_BAD_ARGUMENT);
            assert_int_equal(joule_prepack(&m, prepack_buffer, n - 1), JOULE_E_ARENA_TOO_SMALL);
            assert_int_equal(joule_prepack(&m, prepack_buffer + 16, n), JOULE_E_ARENA_TOO_SMALL);
            memset(prepack_buffer, 0xA5, sizeof prepack_buffer);
            assert_int_equal(joule_prepack(&m, prepack_buffer, n), JOULE_OK);
            run_once(&m, ts[i], JOULE_READOUT_MEMBRANE, packed);
            assert_memory_equal(plain, packed, sizeof plain);
            for (uint32_t l = 0; l < info.layer_count; l++) {
                assert_int_equal(joule_layer_counters(&m, l, &b[l]), JOULE_OK);
                assert_memory_equal(&a[l], &b[l], sizeof a[l]);
            }
            memset(prepack_buffer, 0x5A, sizeof prepack_buffer);
            /* A rebind forgets the buffer: still overwritten, it changes nothing. */
            bind_mode(&m, mode);
            run_once(&m, ts[i], JOULE_READOUT_MEMBRANE, packed);
            assert_memory_equal(plain, packed, sizeof plain);
        }
    }
    bind_mode(&m, JOULE_MODE_SNN_STREAMING);
    assert_int_equal(joule_prepack(&m, NULL, 0), JOULE_OK);
}

static void test_unopened_handle(void **state) {
    (void)state;
    joule_model_t m;
    memset(&m, 0, sizeof m);
    joule_model_info_t info;
    joule_counters_t c;
    int64_t scores[TINY_OUTPUTS];
    char name[8];
    assert_int_equal(joule_model_info(&m, &info), JOULE_E_NOT_OPEN);
    assert_int_equal(joule_layer_name(&m, 0, name, sizeof name), JOULE_E_NOT_OPEN);
    assert_int_equal(joule_bind(&m, arena, ARENA_CAPACITY, JOULE_MODE_QNN), JOULE_E_NOT_OPEN);
    assert_int_equal(joule_set_input(&m, input, TINY_INPUT_BYTES), JOULE_E_NOT_OPEN);
    assert_int_equal(joule_run(&m, 4, 0), JOULE_E_NOT_OPEN);
    assert_int_equal(joule_get_scores(&m, scores, TINY_OUTPUTS), JOULE_E_NOT_OPEN);
    assert_int_equal(joule_layer_counters(&m, 0, &c), JOULE_E_NOT_OPEN);
    assert_int_equal(joule_total_counters(&m, &c), JOULE_E_NOT_OPEN);
    assert_int_equal(joule_model_info(NULL, &info), JOULE_E_BAD_ARGUMENT);
    assert_int_equal(joule_run(NULL, 4, 0), JOULE_E_BAD_ARGUMENT);
}

static void test_error_messages(void **state) {
    (void)state;
    const char *unknown = joule_error_message(1000);
    assert_string_equal(unknown, "unknown error code");
    assert_string_equal(joule_error_message(JOULE_OK), "ok");
    for (int code = 1; code <= JOULE_E_NEURONS_NEED_STREAMING; code++) {
        const char *s = joule_error_message(code);
        assert_non_null(s);
        assert_true(strlen(s) > 5);
        assert_string_not_equal(s, unknown);
    }
    for (int code = JOULE_E_BAD_ARGUMENT; code <= JOULE_E_NO_RESULT; code++)
        assert_string_not_equal(joule_error_message(code), unknown);
    const int32_t others[5] = {-1, 22, 63, 69, INT32_MAX};
    for (int k = 0; k < 5; k++) assert_string_equal(joule_error_message(others[k]), unknown);
    assert_string_equal(joule_error_message(JOULE_E_CHECKSUM_MISMATCH),
                        "checksum mismatch: the CRC-32 in the header does not match the file's bytes");
    /* Static strings: the same pointer every time. */
    assert_ptr_equal(joule_error_message(JOULE_E_BAD_MAGIC), joule_error_message(JOULE_E_BAD_MAGIC));
}

int main(void) {
    load_input();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_and_info),
        cmocka_unit_test(test_arena_sizes),
        cmocka_unit_test(test_qnn_matches_reference_t4),
        cmocka_unit_test(test_qnn_matches_reference_t9),
        cmocka_unit_test(test_snn_layerwise_equals_qnn),
        cmocka_unit_test(test_spike_count_readout_in_range),
        cmocka_unit_test(test_streaming_runs_and_counts),
        cmocka_unit_test(test_leaky_neurons_need_streaming),
        cmocka_unit_test(test_repeatable_and_boundary_t),
        cmocka_unit_test(test_energy_estimate),
        cmocka_unit_test(test_open_truncated),
        cmocka_unit_test(test_open_bad_magic),
        cmocka_unit_test(test_open_bad_version),
        cmocka_unit_test(test_open_bad_crc),
        cmocka_unit_test(test_open_bad_layer_record),
        cmocka_unit_test(test_open_shape_mismatch),
        cmocka_unit_test(test_open_bad_section_table),
        cmocka_unit_test(test_open_bad_arguments),
        cmocka_unit_test(test_arena_too_small_or_misaligned),
        cmocka_unit_test(test_wrong_input_size),
        cmocka_unit_test(test_bad_timesteps_and_readout),
        cmocka_unit_test(test_call_order_and_result_buffers),
        cmocka_unit_test(test_prepack),
        cmocka_unit_test(test_unopened_handle),
        cmocka_unit_test(test_error_messages),
    };
    return cmocka_run_group_tests_name("joule C API", tests, NULL, NULL);
}
