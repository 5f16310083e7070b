package org.isolex.bench;

import java.util.Map;

/** docs/factorial-scaling.svg, written by hand: speedup vs N for each way, with the ideal. */
final class Svg {
    private Svg() {}

    private static final int W = 780, H = 420, LEFT = 60, RIGHT = 260, TOP = 50, BOTTOM = 50;

    static String factorial(int n, int[] jobs, int cpus, Map<String, double[]> speedups, double[] computeOnly) {
        int maxN = 1;
        for (int j : jobs) maxN = Math.max(maxN, j);
        double yMax = maxN;
        for (double[] v : speedups.values()) for (double d : v) yMax = Math.max(yMax, d);
        yMax = Math.ceil(yMax + 0.25);
        final double xMaxF = maxN + 0.5, yMaxF = yMax;
        java.util.function.DoubleUnaryOperator x = v -> LEFT + v / xMaxF * (W - LEFT - RIGHT);
        java.util.function.DoubleUnaryOperator y = v -> H - BOTTOM - v / yMaxF * (H - TOP - BOTTOM);

        StringBuilder b = new StringBuilder();
        b.append(Md.f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", W, H, W, H));
        b.append(Md.f("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        b.append(Md.f("<text x=\"%d\" y=\"22\" font-size=\"14\" font-weight=\"bold\">fact.factorial_digits(%d): "
                + "speedup over sequential, %d CPUs</text>%n", LEFT, n, cpus));
        b.append(Md.f("<text x=\"%d\" y=\"38\" fill=\"#555\">N jobs; medians of one isolex bench run "
                + "(docs/benchmarks.md)</text>%n", LEFT));
        // grid and axes
        for (int v = 0; v <= (int) yMax; v++) {
            b.append(Md.f("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    x.applyAsDouble(0), y.applyAsDouble(v), x.applyAsDouble(xMaxF), y.applyAsDouble(v)));
            b.append(Md.f("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%d×</text>%n", x.applyAsDouble(0) - 6,
                    y.applyAsDouble(v) + 4, v));
        }
        for (int j : jobs) {
            b.append(Md.f("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>%n",
                    x.applyAsDouble(j), y.applyAsDouble(0), x.applyAsDouble(j), y.applyAsDouble(yMax)));
            b.append(Md.f("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>%n", x.applyAsDouble(j),
                    y.applyAsDouble(0) + 18, j));
        }
        b.append(Md.f("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>%n",
                x.applyAsDouble(0), y.applyAsDouble(0), x.applyAsDouble(xMaxF), y.applyAsDouble(0)));
        b.append(Md.f("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>%n",
                x.applyAsDouble(0), y.applyAsDouble(0), x.applyAsDouble(0), y.applyAsDouble(yMax)));
        b.append(Md.f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">N (jobs)</text>%n",
                x.applyAsDouble(xMaxF / 2), H - 12));

        // ideal (N×) and the CPU ceiling (min(N, cpus)×)
        b.append(Md.f("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>%n",
                x.applyAsDouble(0), y.applyAsDouble(0), x.applyAsDouble(Math.min(xMaxF, yMax)),
                y.applyAsDouble(Math.min(xMaxF, yMax))));
        StringBuilder ceiling = new StringBuilder();
        for (int j : jobs) ceiling.append(Md.f("%.1f,%.1f ", x.applyAsDouble(j), y.applyAsDouble(Math.min(j, cpus))));
        b.append(Md.f("<polyline points=\"%s\" fill=\"none\" stroke=\"#888\" stroke-dasharray=\"2 3\"/>%n",
                ceiling.toString().trim()));

        String[][] series = {
            {"interpreters", "#1f77b4", "", "N interpreters, N threads"},
            {"processes", "#ff7f0e", "", "N JVM processes (wall)"},
            {"processes-compute", "#ff7f0e", "5 3", "N JVM processes (compute only)"},
            {"threads", "#d62728", "", "N threads, 1 shared interpreter"},
            {"sequential", "#333333", "", "sequential (reference)"},
        };
        for (String[] se : series) {
            double[] v = se[0].equals("processes-compute") ? computeOnly : speedups.get(se[0]);
            if (v == null) continue;
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < jobs.length; i++) {
                pts.append(Md.f("%.1f,%.1f ", x.applyAsDouble(jobs[i]), y.applyAsDouble(v[i])));
            }
            b.append(Md.f("<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    pts.toString().trim(), se[1], se[2].isEmpty() ? "" : " stroke-dasharray=\"" + se[2] + "\""));
            for (int i = 0; i < jobs.length; i++) {
                b.append(Md.f("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>%n", x.applyAsDouble(jobs[i]),
                        y.applyAsDouble(v[i]), se[1]));
                if (se[0].equals("interpreters") || se[0].equals("processes")) {
                    b.append(Md.f("<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" font-size=\"11\">%.2f×</text>%n",
                            x.applyAsDouble(jobs[i]) + 6, y.applyAsDouble(v[i]) + (se[0].equals("processes") ? 14 : -6),
                            se[1], v[i]));
                }
            }
        }
        // legend
        int lx = W - RIGHT + 16, ly = TOP + 10;
        String[][] legend = {
            {"#888", "6 4", "ideal: N×"},
            {"#888", "2 3", "ceiling: min(N, " + cpus + " CPUs)×"},
            {series[0][1], "", series[0][3]},
            {series[1][1], "", series[1][3]},
            {series[2][1], series[2][2], series[2][3]},
            {series[3][1], "", series[3][3]},
            {series[4][1], "", series[4][3]},
        };
        for (int i = 0; i < legend.length; i++) {
            int yy = ly + i * 20;
            b.append(Md.f("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>%n", lx, yy,
                    lx + 24, yy, legend[i][0], legend[i][1].isEmpty() ? "" : " stroke-dasharray=\"" + legend[i][1] + "\""));
            b.append(Md.f("<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>%n", lx + 30, yy + 4, legend[i][2]));
        }
        b.append("</svg>\n");
        return b.toString();
    }
}
