package org.isolex.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A little Markdown: tables with aligned columns (readable on a console too) and text. */
final class Md {
    private final StringBuilder out = new StringBuilder();

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** "✓" / "✗", or "–" when there is nothing to judge. */
    static String mark(Boolean ok) {
        return ok == null ? "–" : ok ? "✓" : "✗";
    }

    /** A count with thousands separators: 1,234,567. */
    static String count(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    /** Values per second, compact: 1.53 M/s, 2,660 /s. */
    static String rate(double perSecond) {
        if (Double.isNaN(perSecond)) return "n/a";
        if (perSecond >= 1e6) return f("%.2f M/s", perSecond / 1e6);
        if (perSecond >= 1e4) return f("%.0f k/s", perSecond / 1e3);
        return f("%,.0f /s", perSecond);
    }

    static String kib(double bytes) {
        return f("%.1f KiB", bytes / 1024);
    }

    Md heading(String text) {
        out.append("\n### ").append(text).append("\n\n");
        return this;
    }

    Md para(String text) {
        out.append(text).append("\n\n");
        return this;
    }

    Md raw(String text) {
        out.append(text);
        return this;
    }

    /** A table; cells may not contain '|'. Column widths padded for the console. */
    Md table(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        int[] w = new int[header.size()];
        for (List<String> r : all) {
            for (int i = 0; i < r.size(); i++) w[i] = Math.max(w[i], r.get(i).codePointCount(0, r.get(i).length()));
        }
        appendRow(header, w);
        StringBuilder sep = new StringBuilder("|");
        for (int width : w) sep.append("-".repeat(width + 2)).append('|');
        out.append(sep).append('\n');
        for (List<String> r : rows) appendRow(r, w);
        out.append('\n');
        return this;
    }

    private void appendRow(List<String> r, int[] w) {
        StringBuilder line = new StringBuilder("|");
        for (int i = 0; i < w.length; i++) {
            String c = i < r.size() ? r.get(i) : "";
            line.append(' ').append(c).append(" ".repeat(w[i] - c.codePointCount(0, c.length()))).append(" |");
        }
        out.append(line).append('\n');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
