/*
 * ledger -- AFTER the migration (examples/migration/README.md): before/ledger.c made an
 * isolated multiphase module (abi/ABI.md 4, 5; PEP 489, PEP 573, PEP 630's shape). Callers
 * see the same module: the same names, calls, results and error messages.
 *
 *   Account(name)               an account: .name, .balance (read-only), .post(amount)
 *   CreditAccount(name, limit)  an Account whose balance may go down to -limit: .limit
 *   LedgerError                 raised by post() when an account would go below its floor,
 *                               and by Account('') (an account needs a name)
 *   account(name)               the Account called name, opened on first use (a cache)
 *   postings()                  how many posts have succeeded in this interpreter
 *   subscribe(fn)               adds fn to the subscribers -> how many there are now
 *   notify(*args)               calls every subscriber with args, in order -> how many
 *
 * No C global is written: what before/ kept in globals is in the module state (LedgerState),
 * one per interpreter; both types are heap types made in the exec slot and bound to the
 * module; code reaches the state from the module it is called on (module functions), from
 * its defining class (Account.post, IX_METH_METHOD) or by walking the type's bases
 * (tp_new, IxType_GetModuleByDef). So every interpreter may run it in parallel
 * (IX_MOD_MULTI_PER_INTERPRETER_LOCK). Concurrency: a state and everything in it are
 * reachable from one interpreter only, so that interpreter's lock guards them (ABI.md 9).
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

#include "isolex.h"

/* ---------------------------------------------------------------- module state
 * before/: the C globals and the static storage. Zeroed by the host, one per interpreter. */

typedef struct {
    IxObject *AccountType;        /* before: static IxStaticType AccountType */
    IxObject *CreditAccountType;  /* before: static IxStaticType CreditAccountType */
    IxObject *LedgerError;        /* before: static IxObject *LedgerError */
    IxObject *accounts;           /* before: static IxObject *accounts (the cache) */
    IxObject *subscribers;        /* before: static IxObject *subscribers (the registry) */
    int64_t postings;             /* before: static int64_t postings */
} LedgerState;

static const IxModuleDef ledger_def;

/* The state of the ledger module that made type or one of its bases: what a hook that a
 * subtype inherits uses (tp_new has no defining class). */
static LedgerState *state_of_type(IxContext *ctx, IxObject *type)
{
    IxObject *module = IxType_GetModuleByDef(ctx, type, &ledger_def); /* borrowed */
    return module == NULL ? NULL : IxModule_GetState(ctx, module);
}

/* ---------------------------------------------------------------- Account */

typedef struct {
    IxObject_HEAD
    IxObject *name;   /* str, never empty */
    int64_t balance;
} AccountObject;

/* An instance of type (Account or a subtype) called name. */
static IxObject *account_alloc(IxContext *ctx, IxObject *type, IxObject *name)
{
    LedgerState *st = state_of_type(ctx, type);
    if (st == NULL)
        return NULL;
    int is = Ix_IsInstance(ctx, name, Ix_Builtin(ctx, IX_TYPE_STR));
    if (is < 0)
        return NULL;
    if (!is)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR), "an account name must be a str");
    size_t len;
    if (IxStr_AsUTF8(ctx, name, &len) == NULL)
        return NULL;
    if (len == 0)
        return IxErr_Format(ctx, st->LedgerError, "an account needs a name");
    AccountObject *a = (AccountObject *)IxType_GenericAlloc(ctx, type);
    if (a == NULL)
        return NULL;
    a->name = Ix_NewRef(ctx, name);
    return &a->ob_base;
}

static IxObject *Account_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs)
{
    if (nargs != 1)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR), "%s() takes 1 argument (%zu given)",
                            IxType_GetName(ctx, type), nargs);
    return account_alloc(ctx, type, args[0]);
}

static void Account_dealloc(IxContext *ctx, IxObject *self)
{
    IX_CLEAR(ctx, ((AccountObject *)self)->name);
}

static IxObject *Account_repr(IxContext *ctx, IxObject *self)
{
    AccountObject *a = (AccountObject *)self;
    return IxStr_FromFormat(ctx, "Account('%s', balance=%" PRId64 ")", IxStr_AsUTF8(ctx, a->name, NULL), a->balance);
}

typedef struct {
    AccountObject account;
    int64_t limit;    /* the balance may go down to -limit */
} CreditAccountObject;

/* post(amount) -> the new balance. The floor is 0, or -limit for a CreditAccount. A
 * defining-class method (PEP 573): defining_class is Account, also for a CreditAccount, so
 * its module state is one call away. */
static IxObject *Account_post(IxContext *ctx, IxObject *self, IxObject *defining_class,
                              IxObject *const *args, size_t nargs)
{
    LedgerState *st = IxType_GetModuleState(ctx, defining_class);
    if (st == NULL)
        return NULL;
    AccountObject *a = (AccountObject *)self;
    int64_t amount = IxLong_AsInt64(ctx, args[0]);
    if (amount == -1 && IxErr_Occurred(ctx) != NULL)
        return NULL;
    int credit = Ix_IsInstance(ctx, self, st->CreditAccountType);
    if (credit < 0)
        return NULL;
    int64_t floor = credit ? -((CreditAccountObject *)self)->limit : 0, balance;
    if (__builtin_add_overflow(a->balance, amount, &balance))
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_OVERFLOWERROR), "balance out of range");
    if (balance < floor)
        return IxErr_Format(ctx, st->LedgerError, "account '%s' would go below %" PRId64 ": balance %" PRId64 ", amount %" PRId64,
                            IxStr_AsUTF8(ctx, a->name, NULL), floor, a->balance, amount);
    a->balance = balance;
    st->postings++;
    return IxLong_FromInt64(ctx, balance);
}

static const IxMethodDef Account_methods[] = {
    {"post", (IxCFunction)(void (*)(void))Account_post, 1, 1, IX_METH_METHOD,
     "post(amount) -> the new balance; LedgerError below the floor"},
    IX_METHODS_END
};

static const IxMemberDef Account_members[] = {
    {"name", IX_T_OBJECT, offsetof(AccountObject, name), IX_READONLY, "the account's name"},
    {"balance", IX_T_INT64, offsetof(AccountObject, balance), IX_READONLY, "the balance, in cents"},
    IX_MEMBERS_END
};

static const IxTypeSlot Account_slots[] = {
    {IX_tp_new, Account_new},
    {IX_tp_dealloc, Account_dealloc},
    {IX_tp_repr, Account_repr},
    {IX_tp_methods, (void *)Account_methods},
    {IX_tp_members, (void *)Account_members},
    IX_TYPE_SLOTS_END
};

/* The spec does not change in the migration: only where the type it makes is kept. */
static const IxTypeSpec Account_spec = {
    .name = "ledger.Account",
    .basic_size = sizeof(AccountObject),
    .flags = IX_TPFLAGS_DEFAULT | IX_TPFLAGS_BASETYPE,
    .slots = Account_slots,
};

/* ---------------------------------------------------------------- CreditAccount */

static IxObject *CreditAccount_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs)
{
    if (nargs != 2)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR), "%s() takes 2 arguments (%zu given)",
                            IxType_GetName(ctx, type), nargs);
    int64_t limit = IxLong_AsInt64(ctx, args[1]);
    if (limit == -1 && IxErr_Occurred(ctx) != NULL)
        return NULL;
    if (limit < 0)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "a credit limit cannot be negative");
    IxObject *self = account_alloc(ctx, type, args[0]);
    if (self != NULL)
        ((CreditAccountObject *)self)->limit = limit;
    return self;
}

static IxObject *CreditAccount_repr(IxContext *ctx, IxObject *self)
{
    CreditAccountObject *c = (CreditAccountObject *)self;
    return IxStr_FromFormat(ctx, "CreditAccount('%s', balance=%" PRId64 ", limit=%" PRId64 ")",
                            IxStr_AsUTF8(ctx, c->account.name, NULL), c->account.balance, c->limit);
}

static const IxMemberDef CreditAccount_members[] = {
    {"limit", IX_T_INT64, offsetof(CreditAccountObject, limit), IX_READONLY, "how far below 0 it may go"},
    IX_MEMBERS_END
};

static const IxTypeSlot CreditAccount_slots[] = {
    {IX_tp_new, CreditAccount_new},
    {IX_tp_repr, CreditAccount_repr},
    {IX_tp_members, (void *)CreditAccount_members},
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec CreditAccount_spec = {
    .name = "ledger.CreditAccount",
    .basic_size = sizeof(CreditAccountObject),
    .flags = IX_TPFLAGS_DEFAULT,
    .slots = CreditAccount_slots,
};

/* ---------------------------------------------------------------- module functions
 * A module function gets its module: IxModule_GetState is its state. */

/* account(name) -> the cached Account called name, opened on first use. */
static IxObject *ledger_account(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    LedgerState *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    IxObject *a = IxDict_GetItem(ctx, st->accounts, args[0]); /* borrowed */
    if (a != NULL)
        return Ix_NewRef(ctx, a);
    if (IxErr_Occurred(ctx) != NULL)
        return NULL;
    a = Ix_Call(ctx, st->AccountType, args, 1);
    if (a != NULL && IxDict_SetItem(ctx, st->accounts, args[0], a) < 0)
        IX_CLEAR(ctx, a);
    return a;
}

static IxObject *ledger_postings(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    LedgerState *st = IxModule_GetState(ctx, module);
    return st == NULL ? NULL : IxLong_FromInt64(ctx, st->postings);
}

static IxObject *ledger_subscribe(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    LedgerState *st = IxModule_GetState(ctx, module);
    if (st == NULL || IxList_Append(ctx, st->subscribers, args[0]) < 0)
        return NULL;
    return IxLong_FromInt64(ctx, (int64_t)IxList_Size(ctx, st->subscribers));
}

/* notify(*args): the subscribers there were when it started, in order; the first error
 * stops it and propagates. A subscriber may run anything, clear included (ABI.md 4.8:
 * clear may run more than once), so the list is held across the calls. */
static IxObject *ledger_notify(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    LedgerState *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    IxObject *subscribers = Ix_NewRef(ctx, st->subscribers);
    size_t n = IxList_Size(ctx, subscribers), i;
    for (i = 0; i < n; i++) {
        IxObject *fn = Ix_NewRef(ctx, IxList_GetItem(ctx, subscribers, i));
        IxObject *r = Ix_Call(ctx, fn, args, nargs);
        Ix_Decref(ctx, fn);
        if (r == NULL)
            break;
        Ix_Decref(ctx, r);
    }
    Ix_Decref(ctx, subscribers);
    return i < n ? NULL : IxLong_FromInt64(ctx, (int64_t)n);
}

static const IxMethodDef ledger_methods[] = {
    {"account", ledger_account, 1, 1, 0, "account(name) -> the Account called name, opened on first use"},
    {"postings", ledger_postings, 0, 0, 0, "postings() -> how many posts have succeeded"},
    {"subscribe", ledger_subscribe, 1, 1, 0, "subscribe(fn) -> how many subscribers there are"},
    {"notify", ledger_notify, 0, IX_VARARGS, 0, "notify(*args) -> how many subscribers were called"},
    IX_METHODS_END
};

/* ---------------------------------------------------------------- the module */

/* Adds type to the module and keeps it in *keep; the state owns it from here, also on
 * failure (clear drops it). */
static int add_type(IxContext *ctx, IxObject *module, IxObject *type, IxObject **keep)
{
    *keep = type;
    return type == NULL ? -1 : IxModule_AddType(ctx, module, type);
}

/* What before/'s legacy init did after creating the module, once per interpreter. On
 * failure the host runs clear (and free), so the error paths just return -1. */
static int ledger_exec(IxContext *ctx, IxObject *module)
{
    LedgerState *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return -1;
    if (add_type(ctx, module, IxType_FromSpec(ctx, module, &Account_spec), &st->AccountType) < 0)
        return -1;
    IxObject *credit = IxType_FromSpecWithBase(ctx, module, &CreditAccount_spec, st->AccountType);
    if (add_type(ctx, module, credit, &st->CreditAccountType) < 0)
        return -1;
    st->LedgerError = IxErr_NewException(ctx, module, "ledger.LedgerError", NULL);
    if (st->LedgerError == NULL || IxModule_AddObject(ctx, module, "LedgerError", st->LedgerError) < 0)
        return -1;
    st->accounts = IxDict_New(ctx);
    st->subscribers = IxList_New(ctx);
    return st->accounts != NULL && st->subscribers != NULL ? 0 : -1;
}

/* Every object the state holds: a subscriber may refer back to this module (a bound method
 * of an account in the cache, say), and only a traverse lets the collector see that cycle. */
static int ledger_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    LedgerState *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return 0;
    IX_VISIT(st->AccountType);
    IX_VISIT(st->CreditAccountType);
    IX_VISIT(st->LedgerError);
    IX_VISIT(st->accounts);
    IX_VISIT(st->subscribers);
    return 0;
}

/* Drops every reference the state holds and leaves it consistent (NULLs): what before/'s
 * free did. There is no free: the host runs clear before free (ABI.md 4.8) and frees the
 * state itself, and nothing here is allocated outside it; a free that called clear would
 * only run it twice. */
static int ledger_clear(IxContext *ctx, IxObject *module)
{
    LedgerState *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return 0;
    IX_CLEAR(ctx, st->AccountType);
    IX_CLEAR(ctx, st->CreditAccountType);
    IX_CLEAR(ctx, st->LedgerError);
    IX_CLEAR(ctx, st->accounts);
    IX_CLEAR(ctx, st->subscribers);
    return 0;
}

static const IxModuleSlot ledger_slots[] = {
    {IX_MOD_EXEC, (void *)ledger_exec},
    /* No C global is written: every interpreter may run this module in parallel. */
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END
};

static const IxModuleDef ledger_def = {
    IX_MODULEDEF_HEAD,
    .name = "ledger",
    .doc = "Accounts, postings and subscribers.",
    .state_size = sizeof(LedgerState),
    .methods = ledger_methods,
    .slots = ledger_slots,
    .traverse = ledger_traverse,
    .clear = ledger_clear,
};

IX_MODINIT(ledger)
{
    return &ledger_def;
}
