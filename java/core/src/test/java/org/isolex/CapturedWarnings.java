package org.isolex;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The records of the "org.isolex" logger (System.Logger goes to java.util.logging here) while
 * a test runs, kept from the console: a test that provokes warnings on purpose (a leak logged
 * under LeakPolicy.LOG, dropped interpreters) asserts them with {@link #texts()} instead of
 * printing alarming lines into a green run. A record the test did not take is printed when
 * the capture ends, marked as unexpected, so a real problem stays visible.
 */
final class CapturedWarnings implements AutoCloseable {
    /** Held strongly: java.util.logging keeps loggers weakly, and a new one would lack the handler. */
    private static final Logger LOGGER = Logger.getLogger("org.isolex");

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final boolean usedParentHandlers;

    CapturedWarnings() {
        usedParentHandlers = LOGGER.getUseParentHandlers();
        LOGGER.addHandler(capture);
        LOGGER.setUseParentHandlers(false);
    }

    /** The messages captured so far, oldest first; the test takes them (they are not printed). */
    List<String> texts() {
        List<LogRecord> taken = new ArrayList<>(records);
        records.removeAll(taken);
        return taken.stream().map(LogRecord::getMessage).collect(Collectors.toList());
    }

    @Override
    public void close() {
        LOGGER.removeHandler(capture);
        LOGGER.setUseParentHandlers(usedParentHandlers);
        for (LogRecord r : records) {
            r.setMessage("(not expected by the test that captured it) " + r.getMessage());
            LOGGER.log(r);
        }
        records.clear();
    }
}
