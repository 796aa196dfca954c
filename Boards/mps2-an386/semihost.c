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

#ifndef M4_SYSTICK_MARKS
__attribute__((noinline, used)) void bench_mark(void) { __asm__ volatile("" ::: "memory"); }
#else
/* Without the plugin: QEMU -icount shift=0 makes time proportional to instructions, and SysTick
 * (processor clock) counts down once per fixed number of instructions (40 on mps2-an386; measured
 * by mark_calibrate()). Each mark stores the ticks since the previous one; mark_report() prints
 * them in the plugin's format. Intervals must stay under 2^24 ticks (≈ 670 M instructions). */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define MAX_MARKS 64
static uint32_t mark_ticks[MAX_MARKS], mark_count, mark_last;
static uint32_t insns_per_tick_x1000 = 40000u;

__attribute__((noinline, used)) void bench_mark(void) {
    uint32_t now = SYST_CVR;
    if (mark_count < MAX_MARKS) mark_ticks[mark_count++] = (mark_last - now) & 0xFFFFFFu;
    mark_last = SYST_CVR;  /* the mark's own bookkeeping is not counted */
}

void mark_calibrate(void) {
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 5u;  /* enable, processor clock, no interrupt */
    uint32_t n = 1000000u, t0 = SYST_CVR;
    __asm__ volatile("1: subs %0, #1\n\tbne 1b" : "+r"(n) :: "cc");  /* 2 instructions per turn */
    uint32_t t1 = SYST_CVR, ticks = (t0 - t1) & 0xFFFFFFu;
    if (ticks) insns_per_tick_x1000 = (uint32_t)((2000000ull * 1000u + ticks / 2) / ticks);
    mark_last = SYST_CVR;
}

void mark_report(void) {
    sh_puts("systick: "); sh_put_i64(insns_per_tick_x1000); sh_puts(" insns per 1000 ticks\n");
    for (uint32_t i = 0; i < mark_count; i++) {
        sh_puts("mark "); sh_put_i64(i + 1); sh_puts(": ");
        sh_put_i64((int64_t)(((uint64_t)mark_ticks[i] * insns_per_tick_x1000 + 500u) / 1000u));
        sh_puts(" insns since previous mark\n");
    }
}
#endif

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
