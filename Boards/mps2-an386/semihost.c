/* Semihosting (bkpt 0xAB) for QEMU mps2-an386, and the empty bench_mark() whose address the
 * insnpc plugin is given: instructions between two of its executions are printed by QEMU. */
#include "semihost.h"

static int sh_call(int op, const void *arg) {
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void sh_puts(const char *s) { sh_call(0x04, s); }

void sh_put_i64(int64_t v) {
    char buf[24];
    int i = 23;
    buf[i] = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do { buf[--i] = (char)('0' + (int)(u % 10u)); u /= 10u; } while (u);
    if (v < 0) buf[--i] = '-';
    sh_puts(buf + i);
}

void sh_exit(int code) {
    /* On 32-bit ARM r1 is the reason itself: ADP_Stopped_ApplicationExit (0x20026) exits 0,
     * ADP_Stopped_RunTimeErrorUnknown (0x20023) exits 1. */
    sh_call(0x18, (const void *)(uintptr_t)(code == 0 ? 0x20026u : 0x20023u));
    for (;;) {}
}

__attribute__((noinline, used)) void bench_mark(void) { __asm__ volatile("" ::: "memory"); }

/* Stack high-water mark: the stack lies between _ebss and _estack (mps2-an386.ld). */
extern uint32_t _ebss, _estack;
#define STACK_PATTERN 0x5AA5C33Cu

__attribute__((noinline)) void stack_paint(void) {
    uintptr_t below = (uintptr_t)__builtin_frame_address(0) - 64u;  /* leave this frame alone */
    for (volatile uint32_t *p = &_ebss; (uintptr_t)p < below; p++) *p = STACK_PATTERN;
}

uint32_t stack_used(void) {
    const uint32_t *p = &_ebss;
    while (p < &_estack && *p == STACK_PATTERN) p++;
    return (uint32_t)((const char *)&_estack - (const char *)p);
}
