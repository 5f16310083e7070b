package org.isolex;

/**
 * An interpreter closed with native memory still allocated (by an extension that forgot to
 * release an object or a block). The memory has been freed anyway; {@link #report()} says how
 * much, of which types and modules, so the extension can be fixed. Thrown under
 * {@link LeakPolicy#THROW}; {@link LeakPolicy#LOG} logs the report instead.
 */
public class LeakException extends IsolexException {
    private static final long serialVersionUID = 1L;

    private final transient LeakReport report;

    /**
     * An exception for the leak {@code report} describes.
     *
     * @param report what leaked; its summary ends the message
     */
    public LeakException(LeakReport report) {
        super("interpreter " + report.interpreterId() + " leaked " + report.bytes() + " bytes in "
                + report.blocks() + " blocks (freed at close); fix the module(s) below\n" + report);
        this.report = report;
    }

    /** {@return what leaked} */
    public LeakReport report() {
        return report;
    }
}
