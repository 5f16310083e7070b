/*
 * crashes.c -- `crash KIND`: a worker that imported crasher (test-ext/crasher.c) is asked
 * to die one way; the reply never comes, waitpid tells the expected signal or status, the
 * crash report names the signal and -- symbolized -- the crasher's function, and nothing
 * is left: no process, no descriptor of ours, no socket file.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol.h"
#include "wtest.h"

static const struct {
    const char *kind, *function; /* crasher's method; NULL: no report expected */
    int nargs;
    int64_t arg;
    int signal;                  /* 0: exits with status `arg` */
    const char *report_line, *frame;
} kinds[] = {
    {"segfault", "segfault", 0, 0, SIGSEGV, "signal: 11 SIGSEGV\ncode: 1\naddress: 0x0\n",
     "frame 0: crasher_segfault+"},
    {"bus", "bus_error", 0, 0, SIGBUS, "signal: 7 SIGBUS\n", "frame 0: crasher_bus_error+"},
    /* gcc may place a trap in a cold part: crasher_illegal.cold */
    {"illegal", "illegal", 0, 0, SIGILL, "signal: 4 SIGILL\n", "frame 0: crasher_illegal"},
    {"fpe", "divide", 1, 1, SIGFPE, "signal: 8 SIGFPE\ncode: 1\n", "frame 0: crasher_divide+"},
    {"abort", "abort", 0, 0, SIGABRT, "signal: 6 SIGABRT\n", ": crasher_abort+"},
    {"overflow", "overflow", 0, 0, SIGSEGV, "signal: 11 SIGSEGV\n", "frame 0: crasher_recurse+"},
    {"exit", "exit_with", 1, 7, 0, NULL, NULL},
    {"loop", "loop", 0, 0, SIGKILL, NULL, NULL},  /* killed by us: the parent's deadline */
};

static char *slurp(FILE *f)
{
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    CHECK(text != NULL, "memory");
    size_t n;
    while ((n = fread(text + len, 1, cap - 1 - len, f)) > 0) {
        len += n;
        if (len == cap - 1)
            text = realloc(text, cap *= 2);
    }
    text[len] = '\0';
    return text;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return NULL;
    char *text = slurp(f);
    fclose(f);
    return text;
}

static char *symbolized(const char *report)
{
    char command[512];
    snprintf(command, sizeof command, "'%s' --symbolize '%s'", wt_worker(), report);
    FILE *p = popen(command, "re");
    CHECK(p != NULL, "popen");
    char *text = slurp(p);
    CHECK(pclose(p) == 0, "ixworker --symbolize failed");
    return text;
}

int wt_crash(int argc, char **argv)
{
    CHECK(argc == 1, "crash KIND");
    size_t k = 0;
    while (k < sizeof kinds / sizeof *kinds && strcmp(kinds[k].kind, argv[0]) != 0)
        k++;
    CHECK(k < sizeof kinds / sizeof *kinds, "unknown kind %s", argv[0]);
    int fds = wt_count_fds();
    const char *tmp = getenv("TMPDIR");
    char dir[96], report[128];
    snprintf(dir, sizeof dir, "%s/ixwt-XXXXXX", tmp && strlen(tmp) < 60 ? tmp : P_tmpdir);
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(report, sizeof report, "%s/crash.txt", dir);

    IxwkClient c;
    int64_t interp, crasher = wt_start_with(&c, report, "crasher", &interp);
    pid_t pid = c.pid;
    wt_send_call(&c, interp, crasher, "ping", 0, 0);  /* the module works */
    CHECK(ixwk_client_receive(&c) == 0 && c.status == IXWK_OK && c.len == 9 &&
              memcmp(c.payload + 5, "pong", 4) == 0, "ping() -> 'pong'");
    wt_send_call(&c, interp, crasher, kinds[k].function, kinds[k].nargs, kinds[k].arg);
    if (kinds[k].signal == SIGKILL) {
        struct pollfd p = {.fd = c.fd, .events = POLLIN};
        CHECK(poll(&p, 1, 300) == 0, "loop() answered within 300 ms");
        kill(pid, SIGKILL);
    }
    uint8_t byte;
    CHECK(read(c.fd, &byte, 1) == 0, "the reply of %s() never comes: end of file",
          kinds[k].function);
    int status = ixwk_client_finish(&c);
    if (kinds[k].signal) {
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == kinds[k].signal,
              "%s(): status %#x, expected signal %d", kinds[k].function, status, kinds[k].signal);
    } else {
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == kinds[k].arg,
              "%s(): status %#x, expected exit %lld", kinds[k].function, status,
              (long long)kinds[k].arg);
    }
    char *text = read_file(report);
    if (kinds[k].report_line == NULL) {
        CHECK(text == NULL, "no crash report for %s()", kinds[k].function);
    } else {
        CHECK(text != NULL, "a crash report for %s()", kinds[k].function);
        CHECK(strstr(text, kinds[k].report_line) != NULL, "report has '%s':\n%s",
              kinds[k].report_line, text);
        char request[64];
        snprintf(request, sizeof request, "request: op %d interp %lld target %lld\n",
                 IXWK_OP_CALL, (long long)interp, (long long)crasher);
        CHECK(strstr(text, request) != NULL, "report has '%s':\n%s", request, text);
        CHECK(strstr(text, "\nend\n") != NULL, "the report is complete:\n%s", text);
        printf("%s", text);  /* as written, then symbolized */
        char *named = symbolized(report);
        CHECK(strstr(named, kinds[k].frame) != NULL, "symbolized report has '%s':\n%s",
              kinds[k].frame, named);
        printf("%s", named);
        free(named);
        free(text);
        unlink(report);
    }
    ixwk_client_free(&c);
    CHECK(rmdir(dir) == 0, "only the report was in %s", dir);
    CHECK(!wt_process_exists(pid), "worker %d is gone", (int)pid);
    CHECK(wt_count_fds() == fds, "descriptors: %d before, %d after", fds, wt_count_fds());
    return 0;
}
