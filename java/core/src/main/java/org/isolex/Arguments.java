package org.isolex;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The arguments of a call with keyword arguments: positional values, then named ones, as
 * {@code f(1, 2, step=3)} is {@code handle.invoke("f", Arguments.of(1L, 2L).keyword("step", 3L))}.
 * Values convert as {@link Handle} documents. Immutable: {@link #keyword} returns a new
 * value, so one {@code Arguments} may be shared and reused.
 *
 * <p>Only functions that take keywords accept them (abi/ABI.md 4.13); any other raises
 * {@code TypeError: counter.add() takes no keyword arguments}. An {@code Arguments} without
 * keywords is a plain call. The parameters a function names, and the messages for missing,
 * unexpected or doubled arguments, are the function's (abi/ABI.md 4.14).
 */
public final class Arguments {
    private final List<Object> positional;
    private final List<String> names;
    private final List<Object> values;

    private Arguments(List<Object> positional, List<String> names, List<Object> values) {
        this.positional = positional;
        this.names = names;
        this.values = values;
    }

    /**
     * Positional arguments, and no keyword yet.
     *
     * @param positional the positional values, in order (a {@code null} array is one None
     *                   argument, as for {@link Handle#call(Object...)})
     * @return the arguments
     */
    public static Arguments of(Object... positional) {
        Object[] a = positional == null ? new Object[] {null} : positional;
        List<Object> list = new ArrayList<>(a.length);
        Collections.addAll(list, a);
        return new Arguments(Collections.unmodifiableList(list), List.of(), List.of());
    }

    /**
     * These arguments and one more keyword argument, after those already named.
     *
     * @param name  the parameter's name; not null, no NUL character
     * @param value its value (null is None)
     * @return new arguments with the keyword added
     * @throws IllegalArgumentException if {@code name} is already given
     *                                  ({@code keyword argument 'step' given twice}) or
     *                                  contains a NUL character
     * @throws NullPointerException     if {@code name} is null
     */
    public Arguments keyword(String name, Object value) {
        Names.check("keyword name", Objects.requireNonNull(name, "name"));
        if (names.contains(name)) throw new IllegalArgumentException("keyword argument '" + name + "' given twice");
        List<String> n = new ArrayList<>(names);
        n.add(name);
        List<Object> v = new ArrayList<>(values);
        v.add(value);
        return new Arguments(positional, Collections.unmodifiableList(n), Collections.unmodifiableList(v));
    }

    /**
     * The positional values.
     *
     * @return an unmodifiable list, in order (it may hold nulls)
     */
    public List<Object> positional() {
        return positional;
    }

    /**
     * The keyword arguments.
     *
     * @return an unmodifiable map from name to value, in the order they were added
     */
    public Map<String, Object> keywords() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) m.put(names.get(i), values.get(i));
        return Collections.unmodifiableMap(m);
    }

    /** The keyword names, in order: the call's kwnames. */
    List<String> keywordNames() {
        return names;
    }

    /** Every value as the call passes them: the positional ones, then the keyword values. */
    Object[] values() {
        List<Object> all = new ArrayList<>(positional);
        all.addAll(values);
        return all.toArray();
    }

    /**
     * Shows the arguments as a call would be written.
     *
     * @return for example {@code (1, 2, step=3)}
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("(");
        for (Object p : positional) b.append(b.length() > 1 ? ", " : "").append(p);
        for (int i = 0; i < names.size(); i++) {
            b.append(b.length() > 1 ? ", " : "").append(names.get(i)).append('=').append(values.get(i));
        }
        return b.append(')').toString();
    }
}
