/*
 * ixworker-test -- the worker's tests, in C: this program is the parent. Each scenario is
 * one CTest test (CMakeLists.txt): worker-values, worker-crash-KIND, worker-orphan,
 * worker-bench (figures, never asserted).
 */
#include <string.h>

#include "wtest.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} scenarios[] = {
    {"values", wt_values, "two interpreters in a worker answer byte for byte as in process"},
    {"crash", wt_crash, "crash KIND: the worker dies as expected, reported, nothing left"},
    {"orphan", wt_orphan, "a SIGKILLed parent's worker, looping in a call, ends"},
    {"protocol", wt_protocol, "bad frames and payloads: exact errors, exit 122"},
    {"parallel", wt_parallel, "[N]: a worker crashes while another answers N calls"},
    {"bench", wt_bench, "[N]: round trip and start + import, printed"},
};

int main(int argc, char **argv)
{
    for (size_t i = 0; argc > 1 && i < sizeof scenarios / sizeof *scenarios; i++)
        if (strcmp(argv[1], scenarios[i].name) == 0) {
            int rc = scenarios[i].run(argc - 2, argv + 2);
            if (rc == 0)
                printf("ok %s\n", argv[1]);
            return rc;
        }
    fprintf(stderr, "usage: ixworker-test SCENARIO [ARGS]\n");
    for (size_t i = 0; i < sizeof scenarios / sizeof *scenarios; i++)
        fprintf(stderr, "  %-8s %s\n", scenarios[i].name, scenarios[i].help);
    return 2;
}
