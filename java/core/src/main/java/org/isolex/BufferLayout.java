package org.isolex;

import java.util.List;

/**
 * How an object's exported memory is laid out (the buffer protocol, abi/ABI.md 3.50 and
 * 12.50): what C code gets from {@code Ix_GetBuffer}, as {@link Handle#bufferLayout()}
 * answers it. A {@code bytes} object is {@code ("B", 1, [n], [1])}; a 2 x 3 matrix of doubles
 * in C order is {@code ("d", 8, [2, 3], [24, 8])}. Item {@code [i][j]} of that matrix is at
 * byte {@code i * strides.get(0) + j * strides.get(1)} of the {@link Handle#byteBuffer()}.
 *
 * @param format   the item format, in the notation of Python's {@code struct} module
 *                 ({@code "B"} unsigned byte, {@code "d"} double, ...)
 * @param itemSize bytes of one item
 * @param shape    the extent of each dimension (unmodifiable; empty for a scalar)
 * @param strides  the byte step of each dimension (unmodifiable, as many as {@code shape})
 * @param readOnly whether the exporter forbids writes ({@link Handle#byteBuffer()} is then a
 *                 read-only buffer)
 * @param length   bytes in all: the product of {@code shape}, times {@code itemSize}
 */
public record BufferLayout(String format, long itemSize, List<Long> shape, List<Long> strides, boolean readOnly,
        long length) {
    /**
     * Copies the lists, so a layout never changes.
     *
     * @param format   the item format
     * @param itemSize bytes of one item
     * @param shape    the extent of each dimension
     * @param strides  the byte step of each dimension
     * @param readOnly whether the exporter forbids writes
     * @param length   bytes in all
     */
    public BufferLayout {
        shape = List.copyOf(shape);
        strides = List.copyOf(strides);
    }

    /** {@return the number of dimensions: the size of {@link #shape()}} */
    public int dimensions() {
        return shape.size();
    }
}
