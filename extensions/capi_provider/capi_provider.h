/*
 * capi_provider.h -- the C API that capi_provider exports to other modules through a
 * capsule (ABI.md 4.12). A client includes this header and, in its exec:
 *
 *   IxObject *mod = IxImport_Import(ctx, "capi_provider");
 *   IxObject *cap = mod ? Ix_GetAttr(ctx, mod, "_C_API") : NULL;
 *   CapiProvider *api = cap ? IxCapsule_GetPointer(ctx, cap, CAPI_PROVIDER_CAPSULE) : NULL;
 *
 * then keeps `cap` (a strong reference) in its module state next to `api`: the pointer is
 * valid only while a reference to the capsule is held. The capsule and what it points to
 * are per interpreter: each interpreter's capi_provider makes its own.
 */
#ifndef CAPI_PROVIDER_H
#define CAPI_PROVIDER_H

#include <stdint.h>

#include "isolex.h"

/* The capsule's name: "module.attribute", as CPython's convention; GetPointer checks it. */
#define CAPI_PROVIDER_CAPSULE "capi_provider._C_API"
/* Raised when a client finds an API older than it needs (clients check it first). */
#define CAPI_PROVIDER_VERSION 1

typedef struct CapiProvider CapiProvider;

/* The functions: constant, shared by every interpreter (code, not data). */
typedef struct CapiProviderFunctions {
    /* The next serial number of this interpreter: 1, 2, 3 ... */
    int64_t (*next_serial)(IxContext *ctx, CapiProvider *api);
    /* A new str "TEXT#N" with the next serial N; NULL with an error set on failure. */
    IxObject *(*stamp)(IxContext *ctx, CapiProvider *api, const char *text);
} CapiProviderFunctions;

/* What the capsule points to: one per interpreter, in that interpreter's memory. */
struct CapiProvider {
    int version;                          /* CAPI_PROVIDER_VERSION */
    const CapiProviderFunctions *fn;
    int64_t issued;                       /* serials issued in this interpreter */
};

#endif /* CAPI_PROVIDER_H */
