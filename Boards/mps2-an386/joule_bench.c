/*
 * Joule bench image for QEMU mps2-an386 (Tools/m4-bench): the packed model and the input are const
 * arrays in flash (Tools/bin2c), the arena static (fw_config.h, as Boards/cortex-m4/main.c).
 * Runs two inferences in the mode of fw_config.h and prints over semihosting:
 *   1. joule_run between two bench_mark() calls: instructions per inference (marks 1 → 2);
 *   2. joule_bench_run_marked (BenchHook.swift: joule_run with a callback after each layer) from
 *      mark 3, one mark per layer: instructions per layer (marks 3 → 4 … 3+layers).
 * Both runs' scores must agree; they are printed as "scores: …", the second run's event counters
 * as "counters: …" (the host's `joule run` total row, same order), the kernel that ran each
 * layer (`LayerKernel` raw values, the run's kernel log) as "kernels: …", and the run's energy on
 * the compiled-in nrf52840-cortex-m4-64mhz board read back through the C API
 * (joule_total_energy), rounded to picojoules, as "energy: …".
 */
#include <stdint.h>

#include "fw_config.h"
#include "joule.h"
#include "semihost.h"

extern const uint8_t joule_fw_model[];
extern const size_t joule_fw_model_size;
extern const uint8_t joule_fw_input[];
extern const size_t joule_fw_input_size;

int32_t joule_bench_run_marked(joule_model_t *model, uint32_t timesteps, uint32_t readout,
                               void (*mark)(uint32_t layer), uint8_t *kernels, uint32_t layers);

static joule_model_t model;
static _Alignas(16) uint8_t arena[JOULE_FW_ARENA_BYTES];

static void layer_mark(uint32_t layer) { (void)layer; bench_mark(); }

static void check(const char *what, joule_status_t s) {
    if (s == JOULE_OK) return;
    sh_puts("error: "); sh_puts(what); sh_puts(": "); sh_puts(joule_error_message(s)); sh_puts("\n");
    sh_exit(1);
}

int main(void) {
    static int64_t scores[JOULE_FW_OUTPUTS], scores2[JOULE_FW_OUTPUTS];
    stack_paint();
    MARK_START();
    check("joule_open", joule_open(&model, joule_fw_model, joule_fw_model_size, 0));
    check("joule_bind", joule_bind(&model, arena, sizeof arena, JOULE_FW_MODE));
    check("joule_set_input", joule_set_input(&model, joule_fw_input, joule_fw_input_size));
    bench_mark();
    joule_status_t s = joule_run(&model, JOULE_FW_TIMESTEPS, JOULE_READOUT_MEMBRANE);
    bench_mark();
    check("joule_run", s);
    check("joule_get_scores", joule_get_scores(&model, scores, JOULE_FW_OUTPUTS));
    check("joule_set_input", joule_set_input(&model, joule_fw_input, joule_fw_input_size));
    bench_mark();
    static uint8_t kernels[JOULE_FW_LAYERS];
    check("joule_bench_run_marked", joule_bench_run_marked(&model, JOULE_FW_TIMESTEPS, JOULE_READOUT_MEMBRANE, layer_mark,
                                                           kernels, JOULE_FW_LAYERS));
    check("joule_get_scores", joule_get_scores(&model, scores2, JOULE_FW_OUTPUTS));
    sh_puts("scores:");
    for (uint32_t j = 0; j < JOULE_FW_OUTPUTS; j++) {
        sh_puts(" ");
        sh_put_i64(scores[j]);
        if (scores[j] != scores2[j]) { sh_puts("\nerror: the marked run's scores differ\n"); sh_exit(1); }
    }
    /* The run's event counters, in the order of the host's `joule run` total row. */
    joule_counters_t c;
    check("joule_total_counters", joule_total_counters(&model, &c));
    const uint64_t row[] = { c.dense_synaptic_ops, c.effective_macs, c.effective_acs, c.input_events,
                             c.output_events, c.output_level_sum, c.neuron_updates, c.membrane_reads,
                             c.weight_read_bits, c.activation_read_bits, c.activation_write_bits };
    sh_puts("\ncounters:");
    for (uint32_t k = 0; k < sizeof row / sizeof row[0]; k++) { sh_puts(" "); sh_put_i64((int64_t)row[k]); }
    joule_energy_t e;
    check("joule_total_energy", joule_total_energy(&model, joule_board_find("nrf52840-cortex-m4-64mhz"), &e));
    sh_puts("\nenergy: ");
    sh_put_i64((int64_t)(e.total_pj + 0.5));
    sh_puts("\nkernels:");
    for (uint32_t i = 0; i < JOULE_FW_LAYERS; i++) { sh_puts(" "); sh_put_i64(kernels[i]); }
    sh_puts("\nstack "); sh_put_i64(stack_used()); sh_puts("\n");
    MARK_REPORT();
    sh_exit(0);
}
