package org.isolex;

/**
 * A call in the middle of a batch ({@link TypedFunction#callEach(long[], long[])}) raised
 * natively. The batch stopped there: the calls before {@link #index()} completed and their
 * results are in the results array; the call at {@code index()} wrote nothing; the calls
 * after it did not run. The native error is the cause, exactly the {@link NativeError} a
 * single call with the same argument throws (abi/ABI.md 12.71).
 */
public class BatchCallException extends IsolexException {
    private static final long serialVersionUID = 1L;

    /** The index of the call that failed. */
    private final int index;

    /**
     * An exception for the call at {@code index} of a batch of {@code count}.
     *
     * @param index the index of the call that failed, in the arguments array
     * @param count the number of calls the batch held
     * @param cause the call's native error
     */
    public BatchCallException(int index, int count, NativeError cause) {
        super("call " + index + " of a batch of " + count + " raised " + cause.getMessage()
                + "; results 0.." + (index - 1) + " were delivered", cause);
        this.index = index;
    }

    /** {@return the index of the call that failed (the calls before it completed)} */
    public int index() {
        return index;
    }

    /** {@return the native error the call raised} */
    @Override
    public synchronized NativeError getCause() {
        return (NativeError) super.getCause();
    }
}
