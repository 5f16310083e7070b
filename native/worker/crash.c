/*
 * crash.c -- the worker's last words: a crash report, then death by the same signal.
 *
 * SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT are caught on an alternate signal stack
 * (sigaltstack), so a stack overflow -- a fault on the guard page below a full stack --
 * is caught too. The handler writes the report (README.md, "Crash report") to the
 * --crash-report file, or to standard error, then puts back the default action and raises
 * the signal again, so the parent's waitpid sees WIFSIGNALED with the real signal.
 *
 * What the handler calls, and why each is acceptable in a process that is dying:
 *  - open, write, close, getpid, sigaction, raise, sigprocmask, _exit: async-signal-safe.
 *  - backtrace(): not on POSIX's list. Its first call dlopens libgcc_s, which would take
 *    locks and malloc: ixwk_crash_install calls it once at start, so in the handler it
 *    only unwinds (libgcc's unwinder reads .eh_frame; it finds them with dl_iterate_phdr,
 *    which takes the dynamic loader's lock).
 *  - dladdr(): not on the list either; it takes the same loader lock. That lock is
 *    recursive, so a crash inside the loader on this thread does not deadlock here; the
 *    worker's only other thread (watchdog.c) never takes it. A crash while an extension's
 *    own thread holds it could hang the handler: the parent's deadline then kills the
 *    worker (and no report comes), which is the worst case and an acceptable one.
 *  - no malloc, no stdio: numbers are formatted by hand into a static buffer.
 * A second fault inside the handler is a fault with its signal blocked: the kernel kills
 * the process with that signal at once (the report is then cut short).
 *
 * The alternate stack is the main thread's: extension code runs on it (serve.c). A thread
 * an extension starts itself has none, so its stack overflow dies without a report.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "worker.h"

#define MAX_FRAMES 128
#define ALT_STACK_SIZE (256 * 1024) /* the unwinder needs more than SIGSTKSZ */

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
static char report_path[PATH_MAX];  /* empty: standard error */
static void *frames[MAX_FRAMES];

/* ---------------------------------------------------------------- a writer without stdio */

static struct {
    int fd;
    size_t len;
    char buf[4096];
} out;

static void flush_out(void)
{
    size_t done = 0;
    while (done < out.len) {
        ssize_t w = write(out.fd, out.buf + done, out.len - done);
        if (w <= 0 && errno != EINTR)
            break;
        if (w > 0)
            done += (size_t)w;
    }
    out.len = 0;
}

static void put(const char *s)
{
    for (; *s; s++) {
        if (out.len == sizeof out.buf)
            flush_out();
        out.buf[out.len++] = *s;
    }
}

static void put_dec(int64_t v)
{
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        put("-");
    char s[24];
    for (int i = 0; i < n; i++)
        s[i] = digits[n - 1 - i];
    s[n] = '\0';
    put(s);
}

static void put_hex(uint64_t v)
{
    char s[19] = "0x";
    int n = 2;
    int shift = 60;
    while (shift > 0 && ((v >> shift) & 0xf) == 0)
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        s[n++] = "0123456789abcdef"[(v >> shift) & 0xf];
    s[n] = '\0';
    put(s);
}

/* ---------------------------------------------------------------- the report */

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT";
    default: return "?";
    }
}

/* The program counter at the fault, to find its frame among backtrace()'s (the frames
 * before it are the handler's and the kernel's signal trampoline). 0 when unknown. */
static uintptr_t fault_pc(void *ucontext)
{
    ucontext_t *uc = ucontext;
#if defined(__x86_64__)
    return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (uintptr_t)uc->uc_mcontext.pc;
#else
    (void)uc;
    return 0;
#endif
}

/* "frame N: NAME+0xOFF at PATH+0xOFFSET": the function dladdr names (exported symbols
 * only: a static function shows as the nearest exported one before it, or "?"), and the
 * address as the library's path plus the offset from its load base, which
 * `ixworker --symbolize` resolves from the file's own symbol table. */
static void put_frame(int number, void *pc)
{
    Dl_info info;
    put("frame ");
    put_dec(number);
    put(": ");
    if (dladdr(pc, &info) == 0 || info.dli_fname == NULL) {
        put("? at ?+");
        put_hex((uintptr_t)pc);
        put("\n");
        return;
    }
    if (info.dli_sname != NULL) {
        put(info.dli_sname);
        put("+");
        put_hex((uintptr_t)pc - (uintptr_t)info.dli_saddr);
    } else {
        put("?");
    }
    put(" at ");
    put(info.dli_fname[0] ? info.dli_fname : "?");
    put("+");
    put_hex((uintptr_t)pc - (uintptr_t)info.dli_fbase);
    put("\n");
}

static void write_report(int sig, siginfo_t *si, void *ucontext)
{
    put("isolex worker crash report 1\npid: ");
    put_dec(getpid());
    put("\nsignal: ");
    put_dec(sig);
    put(" ");
    put(signal_name(sig));
    put("\ncode: ");
    put_dec(si->si_code);
    if (sig == SIGABRT) {
        put("\nsender: ");  /* abort() and raise() send it to themselves */
        put_dec(si->si_pid);
    } else {
        put("\naddress: ");
        put_hex((uintptr_t)si->si_addr);
    }
    put("\nrequest: ");
    if (ixwk_current.op != 0) {
        put("op ");
        put_dec(ixwk_current.op);
        put(" interp ");
        put_dec(ixwk_current.interp);
        put(" target ");
        put_dec(ixwk_current.target);
    } else {
        put("none");
    }
    int n = backtrace(frames, MAX_FRAMES);
    int first = 0;
    uintptr_t pc = fault_pc(ucontext);
    while (first < n && (uintptr_t)frames[first] != pc)
        first++;
    if (first == n)
        first = 0;
    put("\nframes: ");
    put_dec(n - first);
    /* The symbolizer looks a return address up one byte back (README.md). */
    put(first > 0 || pc == (uintptr_t)frames[0] ? " from the fault\n" : " from the handler\n");
    for (int i = first; i < n; i++)
        put_frame(i - first, frames[i]);
    put("end\n");
    flush_out();
}

static void on_fatal(int sig, siginfo_t *si, void *ucontext)
{
    int fd = report_path[0]
                 ? open(report_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)
                 : -1;
    out.fd = fd >= 0 ? fd : STDERR_FILENO;
    out.len = 0;
    write_report(sig, si, ucontext);
    if (fd >= 0)
        close(fd);
    /* Die of the same signal: default action, raised again, delivered on unblocking. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    raise(sig);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    _exit(128 + sig);  /* not reached */
}

int ixwk_crash_install(const char *path)
{
    if (path != NULL) {
        if (strlen(path) >= sizeof report_path)
            return -1;
        strcpy(report_path, path);
    }
    backtrace(frames, 1);  /* loads libgcc_s now, not in the handler */
    void *stack = mmap(NULL, ALT_STACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        return -1;
    stack_t ss = {.ss_sp = stack, .ss_size = ALT_STACK_SIZE, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fatal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof fatal_signals / sizeof *fatal_signals; i++)
        sigaddset(&sa.sa_mask, fatal_signals[i]);  /* one report, for the first */
    for (size_t i = 0; i < sizeof fatal_signals / sizeof *fatal_signals; i++)
        if (sigaction(fatal_signals[i], &sa, NULL) != 0)
            return -1;
    return 0;
}
