package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;

/**
 * The worked migration of issue 12 (examples/migration/README.md): the module {@code ledger}
 * as a legacy single-phase module (before/, ABI.md 7) and migrated to multiphase init with
 * heap types and module state (after/). One behaviour table runs against both and must give
 * the same results, call for call: the proof that the migration kept the module's behaviour.
 * Then what the migration changes: before/ is fenced to one interpreter (7.3) unless the
 * host loads private copies (7.4); after/ runs in four interpreters in parallel, each with
 * its own counter, cache and subscribers.
 */
class MigrationTest extends NativeTestBase {

    static final Path MIGRATION = TEST_EXT.getParent().resolve("examples/migration");
    static final Path BEFORE = MIGRATION.resolve("before");
    static final Path AFTER = MIGRATION.resolve("after");

    Host host(Path dir) {
        return track(Host.builder().modulePath(dir).build());
    }

    /** What every call of the table gives, in order: the same for before/ and after/. */
    static final List<String> EXPECTED = List.of(
            "LedgerError -> <class 'ledger.LedgerError'>",
            "Account -> <class 'ledger.Account'>",
            "CreditAccount -> <class 'ledger.CreditAccount'>",
            "Account('cash') -> Account('cash', balance=0)",
            "cash.post(500) -> 500",
            "cash.post(-200) -> 300",
            "cash.post(-400) -> ledger.LedgerError: account 'cash' would go below 0: balance 300, amount -400",
            "cash.post('x') -> TypeError: expected int, got str",
            "cash.balance = 1 -> AttributeError: attribute 'balance' of 'ledger.Account' objects is not writable",
            "cash.name -> cash",
            "Account('') -> ledger.LedgerError: an account needs a name",
            "Account(5) -> TypeError: an account name must be a str",
            "Account() -> TypeError: ledger.Account() takes 1 argument (0 given)",
            "CreditAccount('card', 100) -> CreditAccount('card', balance=0, limit=100)",
            "card.post(-150) -> ledger.LedgerError: account 'card' would go below -100: balance 0, amount -150",
            "card.post(-80) -> -80",
            "card.limit -> 100",
            "card.name -> card",
            "CreditAccount('x', -1) -> ValueError: a credit limit cannot be negative",
            "CreditAccount('x') -> TypeError: ledger.CreditAccount() takes 2 arguments (1 given)",
            // the cache: account(name) opens an account once and returns it ever after
            "account('cash') -> Account('cash', balance=0)",
            "account('cash') is account('cash') -> true",
            "account('cash').post(7) -> 7",
            "account('cash') -> Account('cash', balance=7)",
            "account('') -> ledger.LedgerError: an account needs a name",
            // the counter: successful posts, whichever account
            "postings() -> 4",
            // the registry: subscribers called in order by notify, the first error stops it
            "notify(1) -> 0",
            "subscribe(account('audit').post) -> 1",
            "notify(25) -> 1",
            "account('audit') -> Account('audit', balance=25)",
            "subscribe(card.post) -> 2",
            "notify(10) -> 2",
            "card -> CreditAccount('card', balance=-70, limit=100)",
            "notify(-200) -> ledger.LedgerError: account 'audit' would go below 0: balance 35, amount -200",
            "card -> CreditAccount('card', balance=-70, limit=100)",
            "subscribe(5) -> 3",
            "notify(1) -> TypeError: 'int' object is not callable",
            "account('audit') -> Account('audit', balance=36)",
            "postings() -> 9");

    /** One call of the table: its label and what it gave (a value, a repr, or "Type: message"). */
    private static void row(List<String> out, String label, Callable<Object> call) {
        Object result;
        try {
            result = call.call();
        } catch (NativeError e) {
            result = e.typeName() + ": " + e.nativeMessage();
        } catch (Exception e) {
            throw new AssertionError(label, e);
        }
        out.add(label + " -> " + (result instanceof Handle ? ((Handle) result).repr() : String.valueOf(result)));
    }

    /** Runs the behaviour table on a freshly imported ledger of interp. */
    static List<String> behaviour(Interpreter interp) {
        ExtensionModule m = interp.importModule("ledger");
        List<String> out = new ArrayList<>();
        Handle account = (Handle) m.getAttr("Account");
        Handle credit = (Handle) m.getAttr("CreditAccount");
        row(out, "LedgerError", () -> m.getAttr("LedgerError"));
        row(out, "Account", () -> account);
        row(out, "CreditAccount", () -> credit);
        Handle cash = (Handle) account.call("cash");
        row(out, "Account('cash')", () -> cash);
        row(out, "cash.post(500)", () -> cash.invoke("post", 500L));
        row(out, "cash.post(-200)", () -> cash.invoke("post", -200L));
        row(out, "cash.post(-400)", () -> cash.invoke("post", -400L));
        row(out, "cash.post('x')", () -> cash.invoke("post", "x"));
        row(out, "cash.balance = 1", () -> {
            cash.setAttr("balance", 1L);
            return "set";
        });
        row(out, "cash.name", () -> cash.getAttr("name"));
        row(out, "Account('')", () -> account.call(""));
        row(out, "Account(5)", () -> account.call(5L));
        row(out, "Account()", () -> account.call());
        Handle card = (Handle) credit.call("card", 100L);
        row(out, "CreditAccount('card', 100)", () -> card);
        row(out, "card.post(-150)", () -> card.invoke("post", -150L));
        row(out, "card.post(-80)", () -> card.invoke("post", -80L));
        row(out, "card.limit", () -> card.getAttr("limit"));
        row(out, "card.name", () -> card.getAttr("name"));
        row(out, "CreditAccount('x', -1)", () -> credit.call("x", -1L));
        row(out, "CreditAccount('x')", () -> credit.call("x"));

        row(out, "account('cash')", () -> m.invoke("account", "cash"));
        row(out, "account('cash') is account('cash')",
                () -> ((Handle) m.invoke("account", "cash")).sameObject((Handle) m.invoke("account", "cash")));
        row(out, "account('cash').post(7)", () -> ((Handle) m.invoke("account", "cash")).invoke("post", 7L));
        row(out, "account('cash')", () -> m.invoke("account", "cash"));
        row(out, "account('')", () -> m.invoke("account", ""));
        row(out, "postings()", () -> m.invoke("postings"));

        row(out, "notify(1)", () -> m.invoke("notify", 1L));
        Handle audit = (Handle) m.invoke("account", "audit");
        row(out, "subscribe(account('audit').post)", () -> m.invoke("subscribe", audit.getAttr("post")));
        row(out, "notify(25)", () -> m.invoke("notify", 25L));
        row(out, "account('audit')", () -> m.invoke("account", "audit"));
        row(out, "subscribe(card.post)", () -> m.invoke("subscribe", card.getAttr("post")));
        row(out, "notify(10)", () -> m.invoke("notify", 10L));
        row(out, "card", () -> card);
        row(out, "notify(-200)", () -> m.invoke("notify", -200L));
        row(out, "card", () -> card);
        row(out, "subscribe(5)", () -> m.invoke("subscribe", 5L));
        row(out, "notify(1)", () -> m.invoke("notify", 1L));
        row(out, "account('audit')", () -> m.invoke("account", "audit"));
        row(out, "postings()", () -> m.invoke("postings"));
        return out;
    }

    @Test
    void beforeAndAfterBehaveTheSame() {
        List<String> before;
        try (Host host = host(BEFORE); Interpreter in = host.newInterpreter()) {
            before = behaviour(in);
        }
        List<String> after;
        try (Host host = host(AFTER); Interpreter in = host.newInterpreter()) {
            after = behaviour(in);
        }
        assertEquals(EXPECTED, before, "before/");
        assertEquals(before, after, "after/ answers every call as before/ did");
    }

    @Test
    void debugModeFindsNothingInEither() {
        for (Path dir : List.of(BEFORE, AFTER)) {
            try (Host host = track(Host.builder().modulePath(dir).debug(true).build());
                    Interpreter in = host.newInterpreter()) {
                assertEquals(EXPECTED, behaviour(in), dir.toString());
            }
        }
    }

    /** ABI.md 7.3: the static type is listed; CreditAccount is a heap type (before/ledger.c says why). */
    static String fenced(Interpreter holder) {
        return "module 'ledger' uses single-phase init and static types (ledger.Account, ledger.CreditAccount) and is loaded in interpreter "
                + holder.id() + "; it cannot be loaded in several interpreters. See abi/MIGRATION.md to make it multiphase";
    }

    @Test
    void beforeIsFencedToOneInterpreter() {
        try (Host host = host(BEFORE); Interpreter b = host.newInterpreter()) {
            Interpreter a = host.newInterpreter(); // closed below, while b lives on
            ExtensionModule first = a.importModule("ledger");
            assertNativeError("ImportError", fenced(a), () -> b.importModule("ledger"));
            assertNativeError("ImportError", fenced(a), () -> b.importModule("ledger"));
            // the holder is unharmed, and its counter is the library's one global
            try (Handle cash = (Handle) first.invoke("account", "cash")) {
                cash.invoke("post", 3L);
            }
            assertEquals(1L, first.invoke("postings"));
            assertEquals(1L, a.importModule("ledger").invoke("postings"), "a re-import is the same module");
            a.close();
            // the library unloaded with its only interpreter: b loads it afresh, with fresh globals
            assertEquals(EXPECTED, behaviour(b));
        }
    }

    @Test
    void beforeRunsInSeveralInterpretersWithPrivateCopies() throws Exception {
        try (Host host = track(Host.builder().modulePath(BEFORE).legacyPrivateCopies(true).build())) {
            List<Interpreter> ins = new ArrayList<>();
            for (int i = 0; i < 3; i++) ins.add(host.newInterpreter());
            // each copy has its own C globals: the same table, counter from 0, in every one,
            // and the three run at once (no copy shares a global with another)
            List<List<String>> seen = Together.run(3, i -> () -> behaviour(ins.get(i)));
            assertEquals(List.of(EXPECTED, EXPECTED, EXPECTED), seen);
            assertEquals(3, Host.libraries().size(), "the library and two private copies");
            for (Interpreter in : ins) in.close();
        }
    }

    @Test
    void afterRunsInFourInterpretersInParallel() throws Exception {
        try (Host host = host(AFTER)) {
            // three rounds of four interpreters at once, each opened, run and closed by its
            // thread; the table's "postings() -> 9" shows each counter is its interpreter's
            List<Integer> rounds = Together.run(4, i -> () -> {
                for (int round = 0; round < 3; round++) {
                    try (Interpreter in = host.newInterpreter()) {
                        assertEquals(EXPECTED, behaviour(in), "round " + round + " of thread " + i);
                    }
                }
                return 3;
            });
            assertEquals(List.of(3, 3, 3, 3), rounds);
        }
    }

    @Test
    void whatTheDefinitionsDeclare() {
        try (Host before = host(BEFORE); Interpreter a = before.newInterpreter();
                Host after = host(AFTER); Interpreter b = after.newInterpreter()) {
            ModuleDefinition legacy = a.importModule("ledger").definition();
            assertTrue(legacy.legacy());
            assertEquals(ModuleDefinition.SupportLevel.NOT_SUPPORTED, legacy.supportLevel());
            assertEquals(0L, legacy.stateSize());
            assertTrue(legacy.hasFree(), "a legacy module with objects in globals needs a free");
            ModuleDefinition migrated = b.importModule("ledger").definition();
            assertEquals(false, migrated.legacy());
            assertEquals(ModuleDefinition.SupportLevel.PER_INTERPRETER_LOCK, migrated.supportLevel());
            assertTrue(migrated.supportLevelDeclared());
            assertTrue(migrated.hasTraverse() && migrated.hasClear());
            assertEquals(false, migrated.hasFree(), "clear drops everything; the host frees the state");
            assertEquals(legacy.functions(), migrated.functions(), "the same functions, arities and docs");
        }
    }
}
