package io.slate.bench.ipc;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The two PNGs of a run, drawn with {@code java.awt} (headless) and written with {@link ImageIO}:
 * {@code latency.png}, the percentile distribution of every case (one panel per mode; x: percentile on HdrHistogram's
 * log scale of 1/(1-p), y: latency, log scale) and {@code throughput.png}, operations per second against writer JVMs.
 */
public final class Plots {
    private static final Color[] PALETTE = {
        new Color(0xd62728), new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b),
        new Color(0x1f77b4), new Color(0x2ca02c), new Color(0x17becf), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0xe377c2), new Color(0x393b79), new Color(0x637939),
    };
    /** The percentiles plotted, up to 99.999 (then the max). */
    private static final double MAX_NINES = 5;
    private static final String[] NINES_LABELS = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
    private static final int W = 1500;
    private static final int H = 640;

    private Plots() {
    }

    /** Writes {@code latency.png}: a panel per latency mode present in {@code results}. */
    static void latency(final List<CaseResult> results, final String title, final Path file) throws IOException {
        final BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = canvas(img);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, 20, 26);
        final String[] modes = {"rtt", "oneway"};
        final String[] labels = {"Round trip (A -> B -> A)", "One way at a fixed rate (intended send -> arrival)"};
        long lo = Long.MAX_VALUE;
        long hi = 1;
        for (final CaseResult r : results) {
            if (r.histogram != null && r.samples > 0) {
                lo = Math.min(lo, Math.max(1, r.histogram.getMinNonZeroValue()));
                hi = Math.max(hi, r.histogram.getMaxValue());
            }
        }
        if (lo == Long.MAX_VALUE) {
            lo = 1;
        }
        final double yMin = Math.pow(10, Math.floor(Math.log10(lo)));
        final double yMax = Math.pow(10, Math.ceil(Math.log10(Math.max(hi, yMin * 10))));
        final int panelW = (W - 60) / 2;
        for (int m = 0; m < modes.length; m++) {
            final int x0 = 80 + m * (panelW + 20);
            latencyPanel(g, results, modes[m], labels[m], x0, 60, panelW - 80, H - 200, yMin, yMax);
        }
        legend(g, names(results), 20, H - 95);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static List<String> names(final List<CaseResult> results) {
        final List<String> names = new ArrayList<>();
        for (final CaseResult r : results) {
            if (r.histogram != null && !names.contains(r.name)) {
                names.add(r.name);
            }
        }
        return names;
    }

    private static void latencyPanel(final Graphics2D g, final List<CaseResult> results, final String mode, final String label,
                                     final int x0, final int y0, final int w, final int h, final double yMin, final double yMax) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(label, x0, y0 - 8);
        axes(g, x0, y0, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int nines = 0; nines <= MAX_NINES; nines++) {
            final int x = x0 + (int) (w * nines / MAX_NINES);
            grid(g, x, y0, x, y0 + h);
            final String t = NINES_LABELS[nines];
            g.setColor(Color.BLACK);
            g.drawString(t, x - g.getFontMetrics().stringWidth(t) / 2, y0 + h + 16);
        }
        g.drawString("percentile", x0 + w / 2 - 25, y0 + h + 34);
        for (double v = yMin; v <= yMax * 1.0001; v *= 10) {
            final int y = yOf(v, y0, h, yMin, yMax);
            grid(g, x0, y, x0 + w, y);
            g.setColor(Color.BLACK);
            g.drawString(duration(v), x0 - 52, y + 4);
        }
        final List<String> names = names(results);
        for (final CaseResult r : results) {
            if (!mode.equals(r.mode) || r.histogram == null || r.samples == 0) {
                continue;
            }
            final Path2D.Double line = new Path2D.Double();
            boolean started = false;
            final int steps = 400;
            for (int i = 0; i <= steps; i++) {
                final double nines = MAX_NINES * i / steps;
                final double p = 100 - 100 / Math.pow(10, nines);
                final long v = Math.max(1, r.histogram.getValueAtPercentile(p));
                final double x = x0 + w * nines / MAX_NINES;
                final double y = yOf(Math.max(yMin, v), y0, h, yMin, yMax);
                if (started) {
                    line.lineTo(x, y);
                } else {
                    line.moveTo(x, y);
                    started = true;
                }
            }
            g.setColor(PALETTE[names.indexOf(r.name) % PALETTE.length]);
            g.setStroke(stroke(r.name));
            g.draw(line);
        }
        g.setStroke(new BasicStroke(1f));
    }

    /** Writes {@code throughput.png}: one line per kind and payload, operations per second against writer JVMs. */
    static void throughput(final List<CaseResult> results, final String title, final Path file) throws IOException {
        final BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = canvas(img);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, 20, 26);
        final Map<String, List<CaseResult>> series = new LinkedHashMap<>();
        int maxWriters = 1;
        double hi = 1;
        double lo = Double.MAX_VALUE;
        for (final CaseResult r : results) {
            if ("throughput".equals(r.mode) && r.opsPerSec > 0) {
                series.computeIfAbsent(r.name + " " + r.payloadBytes + " B", k -> new ArrayList<>()).add(r);
                maxWriters = Math.max(maxWriters, r.writers);
                hi = Math.max(hi, r.opsPerSec);
                lo = Math.min(lo, r.opsPerSec);
            }
        }
        if (lo == Double.MAX_VALUE) {
            lo = 1;
        }
        final double yMin = Math.pow(10, Math.floor(Math.log10(lo)));
        final double yMax = Math.pow(10, Math.ceil(Math.log10(Math.max(hi, yMin * 10))));
        final int x0 = 110;
        final int y0 = 60;
        final int w = W - 420;
        final int h = H - 140;
        axes(g, x0, y0, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int n = 1; n <= maxWriters; n++) {
            final int x = xOfWriters(n, maxWriters, x0, w);
            grid(g, x, y0, x, y0 + h);
            g.setColor(Color.BLACK);
            g.drawString(Integer.toString(n), x - 3, y0 + h + 18);
        }
        g.drawString("writer JVMs (" + Runtime.getRuntime().availableProcessors() + " CPUs)", x0 + w / 2 - 50, y0 + h + 38);
        for (double v = yMin; v <= yMax * 1.0001; v *= 10) {
            final int y = yOf(v, y0, h, yMin, yMax);
            grid(g, x0, y, x0 + w, y);
            g.setColor(Color.BLACK);
            g.drawString(rate(v), x0 - 70, y + 4);
        }
        g.drawString("ops/s (log)", 10, y0 - 10);
        int i = 0;
        int legendY = y0 + 10;
        for (final Map.Entry<String, List<CaseResult>> e : series.entrySet()) {
            final Color c = PALETTE[i++ % PALETTE.length];
            g.setColor(c);
            g.setStroke(stroke(e.getKey()));
            final Path2D.Double line = new Path2D.Double();
            boolean started = false;
            for (final CaseResult r : e.getValue()) {
                final double x = xOfWriters(r.writers, maxWriters, x0, w);
                final double y = yOf(r.opsPerSec, y0, h, yMin, yMax);
                if (started) {
                    line.lineTo(x, y);
                } else {
                    line.moveTo(x, y);
                    started = true;
                }
                g.fillOval((int) x - 4, (int) y - 4, 8, 8);
            }
            g.draw(line);
            g.drawLine(x0 + w + 30, legendY, x0 + w + 70, legendY);
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), x0 + w + 78, legendY + 4);
            legendY += 22;
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    /** The {@code i}-th color of the palette every plot of ours uses. */
    public static Color color(final int i) {
        return PALETTE[i % PALETTE.length];
    }

    /** A white, antialiased canvas over the image. */
    public static Graphics2D canvas(final BufferedImage img) {
        final Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        return g;
    }

    private static Stroke stroke(final String name) {
        return Cases.isSlate(name) ? new BasicStroke(2.6f)
                : new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {7f, 4f}, 0f);
    }

    private static void axes(final Graphics2D g, final int x0, final int y0, final int w, final int h) {
        g.setColor(Color.BLACK);
        g.drawRect(x0, y0, w, h);
    }

    private static void grid(final Graphics2D g, final int x1, final int y1, final int x2, final int y2) {
        g.setColor(new Color(0xdddddd));
        g.drawLine(x1, y1, x2, y2);
    }

    private static void legend(final Graphics2D g, final List<String> names, final int x, final int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int cx = x;
        int cy = y;
        for (int i = 0; i < names.size(); i++) {
            final String n = names.get(i);
            g.setColor(PALETTE[i % PALETTE.length]);
            g.setStroke(stroke(n));
            g.drawLine(cx, cy, cx + 40, cy);
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.BLACK);
            g.drawString(n, cx + 46, cy + 4);
            cx += 240;
            if (cx + 240 > W) {
                cx = x;
                cy += 22;
            }
        }
        g.drawString("solid: Slate; dashed: the peers. Same payload, same pinned JVM pairs, same run.", x, cy + 30);
    }

    private static int yOf(final double v, final int y0, final int h, final double yMin, final double yMax) {
        final double f = (Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin));
        return (int) Math.round(y0 + h - f * h);
    }

    private static int xOfWriters(final int n, final int maxWriters, final int x0, final int w) {
        return maxWriters == 1 ? x0 + w / 2 : x0 + 30 + (int) ((w - 60) * (n - 1) / (double) (maxWriters - 1));
    }

    /** A duration in ns, e.g. "100 ns", "10 us", "1 ms", "1 s". */
    public static String duration(final double ns) {
        if (ns >= 1e9) {
            return String.format(Locale.ROOT, "%.0f s", ns / 1e9);
        }
        if (ns >= 1e6) {
            return String.format(Locale.ROOT, "%.0f ms", ns / 1e6);
        }
        if (ns >= 1e3) {
            return String.format(Locale.ROOT, "%.0f us", ns / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f ns", ns);
    }

    /** A rate, e.g. "100 k", "1 M". */
    static String rate(final double perSecond) {
        if (perSecond >= 1e6) {
            return String.format(Locale.ROOT, "%.0f M", perSecond / 1e6);
        }
        if (perSecond >= 1e3) {
            return String.format(Locale.ROOT, "%.0f k", perSecond / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", perSecond);
    }
}
