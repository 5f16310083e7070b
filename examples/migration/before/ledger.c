/*
 * ledger -- BEFORE the migration (examples/migration/README.md): a small bookkeeping module
 * written the pre-PEP 489 way, as a legacy single-phase module (abi/ABI.md 7).
 *
 *   Account(name)               an account: .name, .balance (read-only), .post(amount)
 *   CreditAccount(name, limit)  an Account whose balance may go down to -limit: .limit
 *   LedgerError                 raised by post() when an account would go below its floor,
 *                               and by Account('') (an account needs a name)
 *   account(name)               the Account called name, opened on first use (a cache)
 *   postings()                  how many posts have succeeded
 *   subscribe(fn)               adds fn to the subscribers -> how many there are now
 *   notify(*args)               calls every subscriber with args, in order -> how many
 *
 * Everything the module keeps lives in C globals (the block below), and the init function
 * builds the module itself (IX_LEGACY_MODINIT), readying Account and CreditAccount in static storage
 * (IxStaticType). That is why the host lets it into one interpreter only and refuses it in
 * a second (ABI.md 7.3), unless the host loads private copies of the library (7.4).
 * after/ledger.c is the same module migrated; the README maps every global to its place.
 *
 * CreditAccount is a static subtype of Account, as in an old CPython module (a static
 * PyTypeObject with tp_base = &AccountType): IxType_ReadyStaticWithBase readies it on the
 * readied Account (ABI 1.3, ABI.md 7.10).
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

#include "isolex.h"

/* ---------------------------------------------------------------- the globals
 * Shared by every interpreter of the process: the reason this module is fenced. */

static IxObject *LedgerError;  /* ledger.LedgerError, made in the init */
static IxObject *accounts;     /* dict name -> Account: the cache account() fills */
static IxObject *subscribers;  /* list of callables: the registry notify() calls */
static int64_t postings;       /* successful posts, process-wide */

/* ---------------------------------------------------------------- Account */

typedef struct {
    IxObject_HEAD
    IxObject *name;   /* str, never empty */
    int64_t balance;
} AccountObject;

/* An instance of type (Account or a subtype) called name. */
static IxObject *account_alloc(IxContext *ctx, IxObject *type, IxObject *name)
{
    int is = Ix_IsInstance(ctx, name, Ix_Builtin(ctx, IX_TYPE_STR));
    if (is < 0)
        return NULL;
    if (!is)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR), "an account name must be a str");
    size_t len;
    if (IxStr_AsUTF8(ctx, name, &len) == NULL)
        return NULL;
    if (len == 0)
        return IxErr_Format(ctx, LedgerError, "an account needs a name");
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

/* ---------------------------------------------------------------- CreditAccount
 * Before Account's methods, which need its static storage. */

typedef struct {
    AccountObject account;
    int64_t limit;    /* the balance may go down to -limit */
} CreditAccountObject;

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

/* A static subtype of Account, readied on it in the legacy init (ABI.md 7.10). */
static IxStaticType CreditAccountType = {&CreditAccount_spec};

/* ---------------------------------------------------------------- Account's methods and spec */

/* post(amount) -> the new balance. The floor is 0, or -limit for a CreditAccount: the
 * type check needs CreditAccountType, the error LedgerError, the count postings. */
static IxObject *Account_post(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    AccountObject *a = (AccountObject *)self;
    int64_t amount = IxLong_AsInt64(ctx, args[0]);
    if (amount == -1 && IxErr_Occurred(ctx) != NULL)
        return NULL;
    int credit = Ix_IsInstance(ctx, self, CreditAccountType.type);
    if (credit < 0)
        return NULL;
    int64_t floor = credit ? -((CreditAccountObject *)self)->limit : 0, balance;
    if (__builtin_add_overflow(a->balance, amount, &balance))
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_OVERFLOWERROR), "balance out of range");
    if (balance < floor)
        return IxErr_Format(ctx, LedgerError, "account '%s' would go below %" PRId64 ": balance %" PRId64 ", amount %" PRId64,
                            IxStr_AsUTF8(ctx, a->name, NULL), floor, a->balance, amount);
    a->balance = balance;
    postings++;
    return IxLong_FromInt64(ctx, balance);
}

static const IxMethodDef Account_methods[] = {
    {"post", Account_post, 1, 1, 0, "post(amount) -> the new balance; LedgerError below the floor"},
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

static const IxTypeSpec Account_spec = {
    .name = "ledger.Account",
    .basic_size = sizeof(AccountObject),
    .flags = IX_TPFLAGS_DEFAULT | IX_TPFLAGS_BASETYPE,
    .slots = Account_slots,
};

/* The static type: process-wide storage, readied in the legacy init (ABI.md 7.2). */
static IxStaticType AccountType = {&Account_spec};


/* ---------------------------------------------------------------- module functions */

/* account(name) -> the cached Account called name, opened on first use. */
static IxObject *ledger_account(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    IxObject *a = IxDict_GetItem(ctx, accounts, args[0]); /* borrowed */
    if (a != NULL)
        return Ix_NewRef(ctx, a);
    if (IxErr_Occurred(ctx) != NULL)
        return NULL;
    a = Ix_Call(ctx, AccountType.type, args, 1);
    if (a != NULL && IxDict_SetItem(ctx, accounts, args[0], a) < 0)
        IX_CLEAR(ctx, a);
    return a;
}

static IxObject *ledger_postings(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return IxLong_FromInt64(ctx, postings);
}

static IxObject *ledger_subscribe(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    if (IxList_Append(ctx, subscribers, args[0]) < 0)
        return NULL;
    return IxLong_FromInt64(ctx, (int64_t)IxList_Size(ctx, subscribers));
}

/* notify(*args): the subscribers there were when it started, in order; the first error
 * stops it and propagates. */
static IxObject *ledger_notify(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    size_t n = IxList_Size(ctx, subscribers);
    for (size_t i = 0; i < n; i++) {
        IxObject *fn = Ix_NewRef(ctx, IxList_GetItem(ctx, subscribers, i));
        IxObject *r = Ix_Call(ctx, fn, args, nargs);
        Ix_Decref(ctx, fn);
        if (r == NULL)
            return NULL;
        Ix_Decref(ctx, r);
    }
    return IxLong_FromInt64(ctx, (int64_t)n);
}

static const IxMethodDef ledger_methods[] = {
    {"account", ledger_account, 1, 1, 0, "account(name) -> the Account called name, opened on first use"},
    {"postings", ledger_postings, 0, 0, 0, "postings() -> how many posts have succeeded"},
    {"subscribe", ledger_subscribe, 1, 1, 0, "subscribe(fn) -> how many subscribers there are"},
    {"notify", ledger_notify, 0, IX_VARARGS, 0, "notify(*args) -> how many subscribers were called"},
    IX_METHODS_END
};

/* ---------------------------------------------------------------- the module */

/* The globals hold references: a legacy module that keeps objects in globals needs a free,
 * or close reports them as leaked. (A legacy module has no state, so the host never runs a
 * traverse for it: these objects are roots for the cycle collector.) */
static void ledger_free(IxContext *ctx, IxObject *module)
{
    IX_CLEAR(ctx, LedgerError);
    IX_CLEAR(ctx, accounts);
    IX_CLEAR(ctx, subscribers);
}

static const IxModuleDef ledger_def = {
    IX_MODULEDEF_HEAD,
    .name = "ledger",
    .doc = "Accounts, postings and subscribers (legacy single-phase form).",
    .methods = ledger_methods,
    .free = ledger_free,
    /* no slots, no state: single-phase */
};

/* Readies a static type in place (on base, unless NULL) and adds it to the module. */
static int add_static_type(IxContext *ctx, IxObject *module, IxStaticType *st, IxStaticType *base)
{
    if (IxType_ReadyStaticWithBase(ctx, st, module, base) < 0)
        return -1;
    return IxModule_AddType(ctx, module, st->type);
}

static int ledger_fill(IxContext *ctx, IxObject *module)
{
    if (add_static_type(ctx, module, &AccountType, NULL) < 0
        || add_static_type(ctx, module, &CreditAccountType, &AccountType) < 0)
        return -1;
    LedgerError = IxErr_NewException(ctx, module, "ledger.LedgerError", NULL);
    if (LedgerError == NULL || IxModule_AddObject(ctx, module, "LedgerError", LedgerError) < 0)
        return -1;
    accounts = IxDict_New(ctx);
    subscribers = IxList_New(ctx);
    return accounts != NULL && subscribers != NULL ? 0 : -1;
}

IX_LEGACY_MODINIT(ledger)
{
    IxObject *module = IxModule_CreateLegacy(ctx, &ledger_def);
    if (module == NULL)
        return NULL;
    if (ledger_fill(ctx, module) < 0) {
        Ix_Decref(ctx, module); /* runs ledger_free, which copes with what fill left */
        return NULL;
    }
    return module;
}
