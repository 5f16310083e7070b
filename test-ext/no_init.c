/*
 * no_init -- a shared library that is not an isolex module (ABI.md 4.2).
 *
 * It loads (dlopen succeeds) but exports neither IxInit_no_init nor IxInitLegacy_no_init,
 * only an ordinary C function, so importing it gives
 *   ImportError: module 'no_init' at PATH defines neither IxInit_no_init nor
 *   IxInitLegacy_no_init
 */
#include "isolex.h"

IX_EXPORT int no_init_answer(void)
{
    return 42;
}
