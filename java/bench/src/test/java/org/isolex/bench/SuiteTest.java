package org.isolex.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The report docs/benchmarks.md gets is committed: it must not carry the machine's paths. */
class SuiteTest {
    private final String saved = System.getProperty("isolex.root");

    @AfterEach
    void restore() {
        if (saved == null) System.clearProperty("isolex.root");
        else System.setProperty("isolex.root", saved);
    }

    @Test
    void theCheckoutRootIsWrittenAsDot() {
        System.setProperty("isolex.root", "/some/checkout");
        assertEquals("-Dorg.bytedeco.javacpp.cachedir=./target/javacpp-cache -Disolex.root=. -Dx=/some/checkouts",
                Suite.withoutRoot("-Dorg.bytedeco.javacpp.cachedir=/some/checkout/target/javacpp-cache"
                        + " -Disolex.root=/some/checkout -Dx=/some/checkouts"));
    }
}
