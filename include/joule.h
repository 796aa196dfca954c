/*
 * joule.h — the C API of the Joule runtime: one packed integer model (.jmod) run as a QNN or as
 * its twin SNN, allocation-free.
 *
 * Memory: the library allocates nothing. The caller owns
 *   - the packed model bytes (flash, a const array, a file read into RAM): read in place, never
 *     copied; keep them alive and unchanged while the handle is used;
 *   - the handle storage, a joule_model_t (JOULE_MODEL_BYTES bytes, 8-byte aligned by its type);
 *   - the arena, joule_arena_size() bytes, JOULE_ARENA_ALIGN-aligned: input, activations, scratch,
 *     state and the per-layer counters of the mode it is bound for.
 *
 * Typical use:
 *     static joule_model_t m;
 *     static _Alignas(16) uint8_t arena[ARENA_BYTES];     // >= joule_arena_size(&m, mode)
 *     joule_open(&m, model_bytes, model_size, NULL);
 *     joule_bind(&m, arena, sizeof arena, JOULE_MODE_SNN_LAYERWISE);
 *     joule_set_input(&m, pixels, input_bytes);          // before every run
 *     joule_run(&m, 4, JOULE_READOUT_MEMBRANE);
 *     joule_get_scores(&m, scores, output_count);
 *     joule_total_counters(&m, &counters);
 *
 * Every function returning joule_status_t returns JOULE_OK (0) or one JOULE_E_* code;
 * joule_error_message() turns a code into a static string. The functions are not thread-safe
 * for one handle; distinct handles (with distinct arenas) are independent.
 *
 * The implementation is Swift (Sources/JouleC over Sources/JouleCore and Sources/JouleEnergy), compiled in Embedded
 * mode; link the static library produced by Tools/cross-test or Tools/firmware.
 */
#ifndef JOULE_H
#define JOULE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status codes -------------------------------------------------------------------------- */

/* Codes 1…21 are the core's JouleErrorCode raw values (Sources/JouleCore/JouleError.swift); the
 * same numbers on every target. Codes from 64 on come from the C API only. */
typedef int32_t joule_status_t;

#define JOULE_OK                          0
#define JOULE_E_TRUNCATED                 1  /* buffer shorter than the header or its file size */
#define JOULE_E_BAD_MAGIC                 2  /* the first four bytes are not "JMOD" */
#define JOULE_E_UNSUPPORTED_VERSION       3  /* format major version (or header size) not readable */
#define JOULE_E_CHECKSUM_MISMATCH         4  /* CRC-32 in the header does not match the bytes */
#define JOULE_E_SECTION_OUT_OF_RANGE      5  /* a section outside the file, over the header, misaligned */
#define JOULE_E_MISSING_SECTION           6  /* a required section missing or present twice */
#define JOULE_E_BAD_LAYER_RECORD          7  /* unknown kind/activation/weight format, reserved field set */
#define JOULE_E_SHAPE_MISMATCH            8  /* layer shapes do not chain */
#define JOULE_E_BAD_LAYER_INDEX           9  /* input/residual refers to a layer that does not precede it */
#define JOULE_E_TENSOR_OUT_OF_RANGE      10  /* tensor outside the data section, misaligned, wrong length */
#define JOULE_E_BAD_QUANTIZATION         11  /* multiplier/shift/bias out of range, possible overflow */
#define JOULE_E_WEIGHT_OUT_OF_RANGE      12  /* an int8 weight is -128 */
#define JOULE_E_BAD_ROW_COUNTS           13  /* stored non-zero weight counts do not match the weights */
#define JOULE_E_BAD_ARENA_PLAN           14  /* the model's arena plan is malformed */
#define JOULE_E_ARENA_TOO_SMALL          15  /* arena smaller than joule_arena_size() or misaligned */
#define JOULE_E_BAD_TIMESTEPS            16  /* T is 0 or larger than 255 */
#define JOULE_E_BUFFER_SIZE_MISMATCH     17  /* caller's input/score/name buffer has the wrong size */
#define JOULE_E_COUNTER_BUFFER_TOO_SMALL 18  /* fewer counter entries than layers (not returned here) */
#define JOULE_E_BAD_OUTPUT_LAYER         19  /* the last layer does not produce scores, or another does */
#define JOULE_E_TIMESTEPS_EXCEED_PLAN    20  /* the compact plan was made for a smaller T (QNN code bits, streaming state) */
#define JOULE_E_NEURONS_NEED_STREAMING   21  /* leaky / snnTorch-style neurons: bind JOULE_MODE_SNN_STREAMING */
/* C API only. */
#define JOULE_E_BAD_ARGUMENT             64  /* NULL/misaligned pointer, unknown mode/readout, bad layer or board index */
#define JOULE_E_NOT_OPEN                 65  /* the handle was not opened by a successful joule_open */
#define JOULE_E_NOT_BOUND                66  /* joule_bind has not succeeded on this handle */
#define JOULE_E_NO_INPUT                 67  /* joule_run without joule_set_input since the last run/bind */
#define JOULE_E_NO_RESULT                68  /* results read without a successful run since set_input/bind */

/* ---- Modes and read-outs -------------------------------------------------------------------- */

#define JOULE_MODE_QNN            0u  /* activation codes 0…T, one pass */
#define JOULE_MODE_SNN_LAYERWISE  1u  /* integrate-and-fire, layer by layer over T steps (= the QNN) */
#define JOULE_MODE_SNN_STREAMING  2u  /* all layers advance one step at a time; the only mode for
                                       * leaky / snnTorch-style neurons (format 1.2) */

#define JOULE_READOUT_MEMBRANE    0u  /* SNN scores: output membranes after T steps (QNN: ignored) */
#define JOULE_READOUT_SPIKE_COUNT 1u  /* SNN scores: output spike counts 0…T */

#define JOULE_ARENA_ALIGN 16u
#define JOULE_MAX_TIMESTEPS 255u
/* Longest layer name in bytes, without the terminating NUL. */
#define JOULE_LAYER_NAME_MAX 32u

/* ---- Types ---------------------------------------------------------------------------------- */

/* Storage for one opened model; its contents are private. Declare one per model (static, on the
 * stack or inside your own struct); joule_open fills it. */
#define JOULE_MODEL_BYTES 256u
typedef union joule_model {
    uint64_t align_u64_;
    void *align_ptr_;
    uint8_t bytes[JOULE_MODEL_BYTES];
} joule_model_t;

/* Where joule_open found a problem (optional output). */
typedef struct joule_error_detail {
    joule_status_t code;  /* the status joule_open returned */
    int32_t layer;        /* layer index the problem concerns, or -1 */
    int64_t byte_offset;  /* byte offset in the packed file, or -1 */
} joule_error_detail_t;

/* Shape of an opened model. */
typedef struct joule_model_info {
    uint32_t layer_count;
    uint32_t input_channels;
    uint32_t input_height;
    uint32_t input_width;
    uint32_t input_bytes;        /* C·H·W: the size joule_set_input expects */
    uint32_t output_count;       /* scores joule_get_scores writes */
    uint32_t default_timesteps;  /* the T the model was trained with */
    uint32_t reserved;           /* 0 */
} joule_model_info_t;

/* The ABI of this header: 2 since joule_counters_t gained leak_updates (15 fields, 120 bytes;
 * version 1 had 14 fields and 112 bytes, and a program built against it must be rebuilt). */
#define JOULE_ABI_VERSION 2

/* Energy events one layer (or, summed, the whole model) really performed in one inference: the
 * core's EventCounters (Sources/JouleEvents/EventCounters.swift), same fields, same order, each a
 * count of events that happened. See that file for the exact definitions. */
typedef struct joule_counters {
    uint64_t dense_synaptic_ops;     /* NeuroBench Dense SOPs: every connected (input, weight) pair */
    uint64_t effective_macs;         /* NeuroBench Effective_MACs: non-zero input × non-zero weight */
    uint64_t effective_acs;          /* NeuroBench Effective_ACs: input spike × non-zero weight (SNN) */
    uint64_t input_events;           /* non-zero inputs (QNN) / input spikes over all steps (SNN) */
    uint64_t output_events;          /* non-zero output codes (QNN) / spikes emitted (SNN) */
    uint64_t output_level_sum;       /* Σ output codes (QNN) / total spikes (SNN) */
    uint64_t neuron_updates;         /* requantisations (QNN) / integrate-compare steps (SNN) */
    uint64_t membrane_reads;         /* SNN: one per neuron update; QNN: 0 */
    uint64_t membrane_writes;        /* SNN: one per neuron update; QNN: 0 */
    uint64_t weight_read_bits;       /* weight bits fetched */
    uint64_t activation_read_bits;   /* activation bits read (residual inputs included) */
    uint64_t activation_write_bits;  /* activation bits written */
    uint64_t input_traffic_bits;     /* compulsory input traffic */
    uint64_t output_traffic_bits;    /* compulsory output traffic */
    uint64_t leak_updates;           /* SNN leaky neurons: membrane decays (one per neuron per step) */
} joule_counters_t;

/* Energy of one layer (or, summed, the whole model) in the last inference, in picojoules, as the
 * analytical energy model (Sources/JouleEnergy, Boards/README.md) prices its counters on a
 * compiled-in board profile: compute, on-chip memory, off-chip memory and network-on-chip, and
 * their sum. A QNN run is priced as the QNN twin, an SNN run (either schedule) as the SNN twin, at
 * the run's T — what `joule energy` reports for the same input. */
typedef struct joule_energy {
    double compute_pj;
    double on_chip_pj;
    double off_chip_pj;
    double network_pj;
    double total_pj;
} joule_energy_t;

/* ---- Functions ------------------------------------------------------------------------------ */

/* Validates `size` bytes at `bytes` as a packed model (header, CRC-32, sections, every layer record,
 * tensor ranges, quantisation bounds, arena plans) and fills `*model`. On failure `*model` is left
 * not open and, when `detail` is not NULL, `*detail` says what and where. The bytes must stay
 * valid and unchanged while the handle is used. `model` must be 8-byte aligned (its type is). */
joule_status_t joule_open(joule_model_t *model, const void *bytes, size_t size, joule_error_detail_t *detail);

/* Copies the model's shape into `*info`. */
joule_status_t joule_model_info(const joule_model_t *model, joule_model_info_t *info);

/* Copies layer `layer`'s name (ASCII) with a terminating NUL into `name`; `capacity` must exceed the
 * name's length (JOULE_LAYER_NAME_MAX + 1 always does), else JOULE_E_BUFFER_SIZE_MISMATCH. */
joule_status_t joule_layer_name(const joule_model_t *model, uint32_t layer, char *name, size_t capacity);

/* Arena bytes joule_bind needs for `mode` (JOULE_MODE_*): the model's planned buffers for that mode
 * plus 120 bytes of counters per layer. Independent of T and of the target. Returns 0 when
 * `model` is not open or `mode` is unknown. */
size_t joule_arena_size(const joule_model_t *model, uint32_t mode);

/* Binds the opened model to `arena` (`size` bytes, JOULE_ARENA_ALIGN-aligned, at least
 * joule_arena_size(model, mode)) for `mode`. Rebinding is allowed (it discards input and results).
 * The arena must stay valid while bound; its contents belong to the library. */
joule_status_t joule_bind(joule_model_t *model, void *arena, size_t size, uint32_t mode);

/* Optional prepacking: what depends on the model alone — every weighted layer's tap prefix sums
 * (for the counters), the code thresholds at the model's default T and, where this build has the
 * dense convolution (x86 AVX2, aarch64 NEON), its interleaved weights — made once into a
 * caller-owned buffer instead of in every run, as ONNX Runtime prepacks at session creation.
 * Scores and counters are the same with or without it. */
#define JOULE_PREPACK_ALIGN 32u

/* Bytes joule_prepack needs for `mode`: 0 where there is nothing to prepack (the streaming SNN),
 * when `model` is not open or `mode` is unknown. Depends on the target's kernels. */
size_t joule_prepack_size(const joule_model_t *model, uint32_t mode);

/* Fills `buffer` (`size` bytes, JOULE_PREPACK_ALIGN-aligned, at least joule_prepack_size() of the
 * bound mode) and makes the bound model's runs read it; it must stay valid and unchanged while
 * bound. joule_bind forgets it. JOULE_E_NOT_BOUND before joule_bind; JOULE_E_ARENA_TOO_SMALL when
 * the buffer is smaller or misaligned (nothing changes then); JOULE_OK without touching `buffer`
 * where the size is 0. Input and results stay as they were. */
joule_status_t joule_prepack(joule_model_t *model, void *buffer, size_t size);

/* Copies the input (`size` must equal the model's C·H·W bytes, CHW order, unsigned) into the arena.
 * Needed before every joule_run: a run may reuse the input's bytes. Discards earlier results. */
joule_status_t joule_set_input(joule_model_t *model, const void *input, size_t size);

/* Runs one inference with T = `timesteps` (1…255: QNN levels 0…T, SNN steps) and `readout`
 * (JOULE_READOUT_*, ignored by the QNN). A model packed `--compact` stores QNN codes in
 * ceil(log2(T+1)) bits and sizes the streaming SNN's state for its default T: a QNN run whose T
 * needs more bits, or a streaming run whose T needs more state, returns
 * JOULE_E_TIMESTEPS_EXCEED_PLAN. A refused run (bad T, bad readout) leaves the input set. */
joule_status_t joule_run(joule_model_t *model, uint32_t timesteps, uint32_t readout);

/* Copies the last run's scores (`count` must equal the model's output count). QNN and membrane
 * scores are A_j of Models/README.md: the real logit is score / (T · 2^S); spike counts are 0…T. */
joule_status_t joule_get_scores(const joule_model_t *model, int64_t *scores, size_t count);

/* Copies layer `layer`'s counters of the last run. */
joule_status_t joule_layer_counters(const joule_model_t *model, uint32_t layer, joule_counters_t *counters);

/* Copies the sum over all layers of the last run's counters. */
joule_status_t joule_total_counters(const joule_model_t *model, joule_counters_t *counters);

/* Number of compiled-in board profiles (the files Boards/NAME.json, in name order; Tools/gen-builtin-boards). */
uint32_t joule_board_count(void);

/* A static, NUL-terminated name of board `board` (its file's name, e.g. "nrf52840-cortex-m4-64mhz"),
 * or NULL when `board` >= joule_board_count(). */
const char *joule_board_name(uint32_t board);

/* The index of the compiled-in board named `name` (NUL-terminated, exact match), or
 * joule_board_count() when there is none (or `name` is NULL), which the energy calls refuse. */
uint32_t joule_board_find(const char *name);

/* The energy of layer `layer` in the last run on board `board`. Status: JOULE_E_NOT_OPEN,
 * JOULE_E_NOT_BOUND, or JOULE_E_NO_RESULT (no successful joule_run since the last bind or input),
 * checked first; then JOULE_E_BAD_ARGUMENT for a layer or board out of range or a NULL `energy`
 * (and for a NULL or misaligned `model`). */
joule_status_t joule_layer_energy(const joule_model_t *model, uint32_t layer, uint32_t board, joule_energy_t *energy);

/* The energy of the last run on board `board`: the sum of its layers'. Statuses as for
 * joule_layer_energy. */
joule_status_t joule_total_energy(const joule_model_t *model, uint32_t board, joule_energy_t *energy);

/* A static, NUL-terminated English description of `code` ("unknown error code" for others). */
const char *joule_error_message(joule_status_t code);

#ifdef __cplusplus
}
#endif

#endif /* JOULE_H */
