/* Semihosting output and exit for QEMU (-semihosting-config enable=on,target=native), and the
 * instruction-count mark the QEMU plugin insnpc watches (../shared/tools/qemu-plugins). */
#ifndef M4_SEMIHOST_H
#define M4_SEMIHOST_H
#include <stdint.h>
void sh_puts(const char *s);                 /* SYS_WRITE0 */
void sh_put_i64(int64_t v);                  /* decimal, no newline */
void sh_exit(int code) __attribute__((noreturn)); /* SYS_EXIT: 0 = success */
void bench_mark(void);                       /* empty, never inlined: its address is the mark */
void stack_paint(void);                      /* fills the unused stack with a pattern */
uint32_t stack_used(void);                   /* bytes of stack touched since stack_paint() */
#ifdef M4_SYSTICK_MARKS                      /* counting by -icount shift=0 and SysTick instead */
void mark_calibrate(void);                   /* starts SysTick, measures instructions per tick */
void mark_report(void);                      /* prints the marks as the insnpc plugin does */
#define MARK_START() mark_calibrate()
#define MARK_REPORT() mark_report()
#else
#define MARK_START() ((void)0)
#define MARK_REPORT() ((void)0)
#endif
#endif
