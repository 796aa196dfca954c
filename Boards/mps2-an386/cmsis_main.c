/*
 * CMSIS-NN harness for QEMU mps2-an386 (Tools/m4-bench): runs the network of the generated
 * cmsis_model.c layer by layer with CMSIS-NN's int8 kernels (arm_convolve_wrapper_s8,
 * arm_avgpool_s8, arm_max_pool_s8, arm_fully_connected_s8, each with its *_get_buffer_size call),
 * NHWC activations ping-ponging between two static buffers, one static scratch buffer of
 * CM_SCRATCH_BYTES. bench_mark() before the network and after every layer: the insnpc plugin
 * prints instructions per layer. Prints "scratch N", "outputs: …" (int8 logits) over semihosting.
 * CMSIS-NN itself is not part of this project: Tools/m4-bench compiles it from the path it is given.
 */
#include <stdint.h>
#include <string.h>

#include "arm_nnfunctions.h"
#include "cmsis_model.h"
#include "semihost.h"

#ifndef CM_SCRATCH_BYTES
#define CM_SCRATCH_BYTES 16384
#endif
static int8_t scratch[CM_SCRATCH_BYTES] __attribute__((aligned(4)));

static int32_t buffer_size(const cm_layer_t *L) {
    cmsis_nn_dims in = {1, L->in_h, L->in_w, L->in_c}, f = {L->out_c, L->kh, L->kw, L->in_c},
                  out = {1, L->out_h, L->out_w, L->out_c};
    switch (L->kind) {
    case CM_CONV: {
        cmsis_nn_conv_params p = {L->input_offset, 0, {L->sw, L->sh}, {L->pw, L->ph}, {1, 1}, {L->act_min, L->act_max}};
        return arm_convolve_wrapper_s8_get_buffer_size(&p, &in, &f, &out);
    }
    case CM_AVGPOOL: return arm_avgpool_s8_get_buffer_size(L->out_w, L->in_c);
    case CM_FC: { cmsis_nn_dims fd = {L->in_c, 1, 1, L->out_c}; return arm_fully_connected_s8_get_buffer_size(&fd); }
    default: return 0;
    }
}

static arm_cmsis_nn_status run_layer(const cm_layer_t *L, const int8_t *src, int8_t *dst, int32_t need) {
    cmsis_nn_context ctx = {need > 0 ? scratch : 0, need};
    cmsis_nn_dims in = {1, L->in_h, L->in_w, L->in_c}, out = {1, L->out_h, L->out_w, L->out_c};
    switch (L->kind) {
    case CM_CONV: {
        cmsis_nn_conv_params p = {L->input_offset, 0, {L->sw, L->sh}, {L->pw, L->ph}, {1, 1}, {L->act_min, L->act_max}};
        cmsis_nn_per_channel_quant_params q = {(int32_t *)L->multiplier, (int32_t *)L->shift};
        cmsis_nn_dims f = {L->out_c, L->kh, L->kw, L->in_c}, b = {1, 1, 1, L->out_c};
        return arm_convolve_wrapper_s8(&ctx, &p, &q, &in, src, &f, L->weights, &b, L->bias, &out, dst);
    }
    case CM_AVGPOOL:
    case CM_MAXPOOL: {
        cmsis_nn_pool_params p = {{L->sw, L->sh}, {0, 0}, {L->act_min, L->act_max}};
        cmsis_nn_dims f = {1, L->kh, L->kw, 1};
        return L->kind == CM_AVGPOOL ? arm_avgpool_s8(&ctx, &p, &in, src, &f, &out, dst)
                                     : arm_max_pool_s8(&ctx, &p, &in, src, &f, &out, dst);
    }
    case CM_FC: {
        cmsis_nn_fc_params p = {L->input_offset, 0, 0, {L->act_min, L->act_max}};
        cmsis_nn_per_tensor_quant_params q = {L->multiplier[0], L->shift[0]};
        cmsis_nn_dims i1 = {1, 1, 1, L->in_c}, f = {L->in_c, 1, 1, L->out_c}, b = {1, 1, 1, L->out_c}, o = {1, 1, 1, L->out_c};
        return arm_fully_connected_s8(&ctx, &p, &q, &i1, src, &f, L->weights, &b, L->bias, &o, dst);
    }
    default: return ARM_CMSIS_NN_ARG_ERROR;
    }
}

int main(void) {
    int32_t needs[64], most = 0;
    stack_paint();
    MARK_START();
    if (cm_layer_count > 64) { sh_puts("error: too many layers\n"); sh_exit(1); }
    for (uint32_t i = 0; i < cm_layer_count; i++) {
        needs[i] = buffer_size(&cm_layers[i]);
        if (needs[i] > most) most = needs[i];
    }
    sh_puts("scratch "); sh_put_i64(most); sh_puts("\n");
    if (most > CM_SCRATCH_BYTES) { sh_puts("error: scratch buffer too small\n"); sh_exit(1); }
    memcpy(cm_act_a, cm_input_data, cm_input_bytes);
    int8_t *src = cm_act_a, *dst = cm_act_b;
    arm_cmsis_nn_status st = ARM_CMSIS_NN_SUCCESS;
    bench_mark();
    for (uint32_t i = 0; i < cm_layer_count; i++) {
        st |= run_layer(&cm_layers[i], src, dst, needs[i]);
        bench_mark();
#ifdef CM_DUMP  /* debugging: Σ and non-zeros of each layer's output */
        {
            const cm_layer_t *L = &cm_layers[i];
            int32_t n = L->out_c * L->out_h * L->out_w, sum = 0, nz = 0;
            for (int32_t e = 0; e < n; e++) { sum += dst[e]; nz += dst[e] != 0; }
            sh_puts(L->name); sh_puts(" sum "); sh_put_i64(sum); sh_puts(" nonzero "); sh_put_i64(nz); sh_puts("\n");
        }
#endif
        int8_t *t = src; src = dst; dst = t;
    }
    if (st != ARM_CMSIS_NN_SUCCESS) { sh_puts("error: a CMSIS-NN layer failed\n"); sh_exit(1); }
    sh_puts("outputs:");
    for (uint32_t j = 0; j < cm_outputs; j++) { sh_puts(" "); sh_put_i64(src[j]); }
    sh_puts("\nstack "); sh_put_i64(stack_used()); sh_puts("\n");
    MARK_REPORT();
    sh_exit(0);
}
