package com.example.isolexapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppTest {
    @Test
    void twoInterpretersKeepTheirOwnStateAndLeaveNothingBehind() throws Exception {
        String modules = System.getProperty("isolex.modules", "");
        assertTrue(!modules.isEmpty() && Files.isDirectory(Path.of(modules)),
                "run with -Disolex.modules=DIR, a directory holding counter.so and fact.so (got '"
                        + modules + "')");

        App.Result result = App.run(Path.of(modules));

        assertEquals(List.of(2L, 1L), result.createdPerInterpreter());
        assertEquals(List.of(77338L, 77338L), result.factorialDigits());
        assertEquals(0, result.liveBytesAfterClose(), "live native bytes after close");
        assertEquals(0, result.librariesAfterClose(), "extension libraries mapped after close");
    }
}
