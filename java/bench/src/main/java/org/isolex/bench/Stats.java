package org.isolex.bench;

import java.util.Arrays;
import java.util.List;

/** Medians and percentiles: the benchmarks report these, never a best run. */
final class Stats {
    private Stats() {}

    /** The q-quantile (0..1) by the nearest rank on a sorted copy. */
    static double quantile(double[] v, double q) {
        if (v.length == 0) return Double.NaN;
        double[] s = v.clone();
        Arrays.sort(s);
        int i = (int) Math.round(q * (s.length - 1));
        return s[Math.min(Math.max(i, 0), s.length - 1)];
    }

    /** The median (the mean of the middle two for an even count). */
    static double median(double[] v) {
        if (v.length == 0) return Double.NaN;
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double median(List<Double> v) {
        return median(v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
