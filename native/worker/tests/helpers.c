/* helpers.c -- wtest.h's helpers. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "isolex_host.h"
#include "protocol.h"
#include "wtest.h"

const char *wt_worker(void)
{
    const char *env = getenv("IXWORKER");
    return env ? env : IXWT_WORKER;
}

const char *wt_module_path(void)
{
    return IXWT_MODULE_PATH;
}

int wt_count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.')
            n++;
    if (d)
        closedir(d);
    return n - 1;  /* the directory's own descriptor */
}

int wt_process_exists(pid_t pid)
{
    char path[64], stat[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return 0;
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *paren = strrchr(stat, ')');  /* "pid (comm) STATE ..." */
    return paren == NULL || paren[2] != 'Z';
}

size_t wt_import_request(uint8_t *buf, size_t cap, const char *name)
{
    IxWire w;
    ixw_init(&w, buf, cap);
    ixw_cstr(&w, name);
    return w.len;
}

size_t wt_config_request(uint8_t *buf, size_t cap, const char *path, int debug,
                         int64_t memory_limit)
{
    IxWire w;
    ixw_init(&w, buf, cap);
    if (path)
        ixw_cstr(&w, path);
    else
        ixw_tag(&w, IXW_NONE);
    ixw_int(&w, memory_limit);
    ixw_int(&w, 0);
    ixw_int(&w, debug);
    return w.len;
}

int64_t wt_start_with(IxwkClient *c, const char *report, const char *module, int64_t *interp)
{
    uint8_t buf[512];
    CHECK(ixwk_client_start(c, wt_worker(), report) == 0, "worker start");
    size_t n = wt_config_request(buf, sizeof buf, wt_module_path(), 0, 0);
    CHECK(ixwk_client_request(c, IXWK_OP_INTERP_NEW, 0, 0, 0, buf, n) == 0, "interp new");
    CHECK(c->status == IXWK_OK && c->value > 0, "interp new: status %d", c->status);
    *interp = c->value;
    n = wt_import_request(buf, sizeof buf, module);
    CHECK(ixwk_client_request(c, IXWK_OP_IMPORT, *interp, 0, 256, buf, n) == 0, "import");
    CHECK(c->status == IXWK_OK && c->payload[0] == IXW_HANDLE, "import %s: status %d",
          module, c->status);
    return ixwk_get_i64(c->payload + 1);
}

void wt_send_call(IxwkClient *c, int64_t interp, int64_t target, const char *name, int nargs,
                  int64_t arg)
{
    uint8_t buf[256];
    IxWire w;
    ixw_init(&w, buf, sizeof buf);
    ixw_cstr(&w, name);
    ixw_count(&w, IXW_TUPLE, (uint32_t)nargs);
    if (nargs)
        ixw_int(&w, arg);
    CHECK(ixwk_client_send(c, IXWK_OP_CALL, interp, target, 256, buf, w.len) == 0, "send");
}

double wt_now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}
