/*
 * fuzz_queue_item.c -- libFuzzer harness for the queue item decoder (queue.c, wire.c): an
 * embedder's item is checked by ixh_queue_put (ix_wire_check_shared), and an accepted one
 * is taken again the way its consumer would: decoded into an interpreter
 * (ix_queue_get_value), copied out to the embedder (ixh_queue_get, the Java path), or left
 * in the queue for its release to drop.
 *
 * Input layout (seeds.c writes it):
 *   u8 mode    % 3: 0 take it in an interpreter, 1 take it as the embedder, 2 leave it
 *   the item   one value in the wire format; IXW_BUFFER / IXW_QUEUE pointers in it are
 *              rewritten to real ones (fuzz_common.h says why)
 *
 * Checks, besides the sanitizers': the put refuses exactly what ix_wire_check_shared
 * refuses; an accepted item decodes, and encodes back to the same bytes; the embedder gets
 * the same bytes back (and IXH_QUEUE_TOO_BIG with the length, in one byte less room); and
 * the process and the interpreter are back to the bytes they held before.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "ix_internal.h"

enum { TAKE_INSIDE, TAKE_OUTSIDE, LEAVE, NMODES };

static IxInterp *interp;

/* What the process holds besides the interpreter's own bytes, which grow by the caches it
 * makes when first needed (the small ints). */
static int64_t outside_bytes(void)
{
    return ixh_live_bytes() - ixh_interp_footprint(interp);
}

static void take_inside(IxhQueue *q, const uint8_t *item, size_t len)
{
    IxContext *ctx = ixh_enter(interp);
    if (!ctx) fz_fail("ixh_enter failed");
    IxObject *qo = ixh_queue_wrap(ctx, q);
    IxObject *v = qo ? ix_queue_get_value(ctx, qo, 0) : NULL;
    char text[256];
    if (!v) fz_fail("an accepted item did not decode: %s", ixh_error_text(ctx, text, sizeof text));
    uint8_t *again;
    size_t n;
    if (ix_wire_encode_shared(ctx, v, &again, &n) < 0)
        fz_fail("a decoded item does not encode: %s", ixh_error_text(ctx, text, sizeof text));
    if (n != len || memcmp(again, item, len) != 0)
        fz_fail("an item of %zu bytes decoded and encoded again is %zu different bytes", len, n);
    ix_wire_release_shared(again, n);
    ix_host_free(again);
    IX_DECREF(ctx, v);
    IX_DECREF(ctx, qo);
    ixh_leave(ctx);
}

static void take_outside(IxhQueue *q, const uint8_t *item, size_t len)
{
    uint8_t *out = malloc(len ? len : 1);
    size_t got = 0;
    if (!out) fz_fail("out of memory");
    int rc = len ? ixh_queue_get(q, out, len - 1, 0, &got) : IXH_QUEUE_TOO_BIG;
    if (len && (rc != IXH_QUEUE_TOO_BIG || got != len))
        fz_fail("a get with %zu bytes of room for %zu: status %d, length %zu", len - 1, len, rc, got);
    rc = ixh_queue_get(q, out, len, 0, &got);
    if (rc != IXH_QUEUE_OK || got != len || memcmp(out, item, len) != 0)
        fz_fail("a get of an item of %zu bytes: status %d, %zu bytes%s", len, rc, got,
                rc == IXH_QUEUE_OK && got == len ? ", not the same" : "");
    ix_wire_release_shared(out, got); /* the references the item handed over */
    free(out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (!(interp = ixh_interp_new(NULL))) fz_fail("ixh_interp_new failed");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FzIn in = {data, size};
    int mode = fz_u8(&in) % NMODES;
    int64_t process_before = outside_bytes(), interp_before = ixh_interp_live_bytes(interp);
    size_t len;
    const uint8_t *p = fz_bytes(&in, in.n, &len);
    uint8_t *item = malloc(len ? len : 1); /* exactly: ASan sees overreads */
    if (!item) fz_fail("out of memory");
    memcpy(item, p, len);
    FzShared shared;
    fz_shared_new(&shared);
    fz_patch_shared(item, len, &shared);
    IxhQueue *q = ixh_queue_new(0);
    if (!q) fz_fail("out of memory");

    bool shareable = ix_wire_check_shared(item, len);
    int rc = ixh_queue_put(q, item, len, 0);
    if (rc != (shareable ? IXH_QUEUE_OK : IXH_QUEUE_NOT_SHAREABLE))
        fz_fail("ixh_queue_put returned %d for an item ix_wire_check_shared calls %s", rc,
                shareable ? "shareable" : "not shareable");
    if (shareable && mode == TAKE_INSIDE) take_inside(q, item, len);
    if (shareable && mode == TAKE_OUTSIDE) take_outside(q, item, len);

    ixh_queue_release(q);
    fz_shared_release(&shared);
    free(item);
    if (outside_bytes() != process_before || ixh_interp_live_bytes(interp) != interp_before)
        fz_fail("the process holds %lld bytes (%lld before), the interpreter %lld (%lld before)",
                (long long)outside_bytes(), (long long)process_before,
                (long long)ixh_interp_live_bytes(interp), (long long)interp_before);
    return 0;
}
