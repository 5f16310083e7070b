/*
 * ixworker -- interpreters in a process of their own, served to a parent over a Unix
 * socket (README.md beside this file: the protocol byte by byte, the crash report, the
 * lifecycle).
 *
 *   ixworker --connect PATH [--crash-report FILE] [--core]
 *       connect to the parent listening on PATH, say hello, serve requests until the
 *       parent closes the socket; a fatal signal writes the crash report to FILE (or to
 *       standard error). --core keeps the core-size limit (default: no core file).
 *   ixworker --symbolize REPORT
 *       print REPORT with every frame's function named from its library's symbol table.
 *
 * The parent listens and the worker connects, because that is what a JVM does without
 * native code: ServerSocketChannel.open(StandardProtocolFamily.UNIX) bound to a
 * UnixDomainSocketAddress, then ProcessBuilder("ixworker", "--connect", path).start()
 * and accept(). (A socketpair inherited by the child would save the path, but Java cannot
 * make one, nor pass a descriptor to a child.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "protocol.h"
#include "worker.h"

static const char usage_text[] =
    "usage: ixworker --connect PATH [--crash-report FILE] [--core]\n"
    "       ixworker --symbolize REPORT\n";

/* A usage error: the text on stderr, the worker's usage status (native/worker/README.md). */
static int usage(void)
{
    fputs(usage_text, stderr);
    return IXWK_EXIT_USAGE;
}

static int connect_to(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        fprintf(stderr, "ixworker: socket path longer than %zu bytes: %s\n",
                sizeof addr.sun_path - 1, path);
        return -1;
    }
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int rc;
    do
        rc = connect(fd, (struct sockaddr *)&addr, sizeof addr);
    while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        fprintf(stderr, "ixworker: cannot connect to %s: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    const char *connect_path = NULL, *report = NULL, *symbolize = NULL;
    int core = 0;
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage_text, stdout); /* asked for: stdout, status 0 */
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--connect") == 0 && i + 1 < argc)
            connect_path = argv[++i];
        else if (strcmp(argv[i], "--crash-report") == 0 && i + 1 < argc)
            report = argv[++i];
        else if (strcmp(argv[i], "--symbolize") == 0 && i + 1 < argc)
            symbolize = argv[++i];
        else if (strcmp(argv[i], "--core") == 0)
            core = 1;
        else
            return usage();
    }
    if (symbolize != NULL)
        return connect_path == NULL && report == NULL ? ixwk_symbolize(symbolize, stdout)
                                                      : usage();
    if (connect_path == NULL)
        return usage();
    /* First, so that a crash while starting is reported too. */
    if (ixwk_crash_install(report) != 0) {
        fprintf(stderr, "ixworker: cannot install the crash handlers: %s\n", strerror(errno));
        return IXWK_EXIT_USAGE;
    }
    if (!core) {
        /* A crash is reported; a core file of every crashed worker would fill the disk. */
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
    }
    signal(SIGPIPE, SIG_IGN);  /* a write to a gone parent is EPIPE, not death */
    pid_t parent = getppid();
    int fd = connect_to(connect_path);
    if (fd < 0)
        return IXWK_EXIT_CONNECT;
    if (ixwk_watchdog_start(fd, parent) != 0) {
        fprintf(stderr, "ixworker: cannot start the watchdog thread\n");
        return IXWK_EXIT_CONNECT;
    }
    int status = ixwk_serve(fd);
    close(fd);
    return status;
}
