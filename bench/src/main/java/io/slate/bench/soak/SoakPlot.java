package io.slate.bench.soak;

import io.slate.bench.ipc.Plots;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * {@code soak.png}: three panels over the run's time: each agent's resident memory, the space's use of /dev/shm, and
 * the handoff latency per interval (p99.9 and max, log scale).
 */
final class SoakPlot {
    private static final int W = 1200;
    private static final int PANEL_H = 230;
    private static final int H = 80 + 3 * (PANEL_H + 60);
    private static final int X0 = 90;
    private static final int PLOT_W = W - X0 - 200;
    private static final double MIB = 1024 * 1024;

    private SoakPlot() {
    }

    static void write(final List<Soak.Sample> samples, final List<Soak.Agent> agents, final Path file) throws IOException {
        final BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = Plots.canvas(img);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("Slate soak: " + agents.size() + " agent JVMs on one space", 20, 28);
        if (samples.isEmpty()) {
            g.dispose();
            ImageIO.write(img, "png", file.toFile());
            return;
        }
        final double tMax = samples.get(samples.size() - 1).seconds;
        int y0 = 60;
        double top = 1;
        for (Soak.Sample s : samples) {
            for (long r : s.rssBytes) {
                top = Math.max(top, r / MIB);
            }
        }
        frame(g, y0, "resident memory per agent JVM (MiB)", tMax, 0, top * 1.15, false);
        for (int i = 0; i < agents.size(); i++) {
            final int agent = i;
            series(g, samples, s -> s.rssBytes[agent] / MIB, y0, tMax, 0, top * 1.15, false, Plots.color(i), agents.get(i).name, i);
        }
        y0 += PANEL_H + 60;
        double shmTop = 1;
        for (Soak.Sample s : samples) {
            shmTop = Math.max(shmTop, s.shmBytes / MIB);
        }
        frame(g, y0, "/dev/shm used by the space (MiB)", tMax, 0, shmTop * 1.15, false);
        series(g, samples, s -> s.shmBytes / MIB, y0, tMax, 0, shmTop * 1.15, false, Plots.color(0), "/dev/shm", 0);
        y0 += PANEL_H + 60;
        double lo = Double.MAX_VALUE;
        double hi = 1;
        for (Soak.Sample s : samples) {
            if (s.p999Nanos > 0) {
                lo = Math.min(lo, s.p999Nanos);
            }
            hi = Math.max(hi, s.maxNanos);
        }
        final double yMin = Math.pow(10, Math.floor(Math.log10(lo == Double.MAX_VALUE ? 1 : lo)));
        final double yMax = Math.pow(10, Math.ceil(Math.log10(Math.max(hi, yMin * 10))));
        frame(g, y0, "task handoff latency per interval (producer's intended send -> consumer's take)", tMax, yMin, yMax, true);
        series(g, samples, s -> s.p999Nanos, y0, tMax, yMin, yMax, true, Plots.color(0), "p99.9", 0);
        series(g, samples, s -> s.maxNanos, y0, tMax, yMin, yMax, true, Plots.color(1), "max", 1);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static void frame(final Graphics2D g, final int y0, final String title, final double tMax, final double yMin, final double yMax,
                              final boolean log) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(title, X0, y0 - 8);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawRect(X0, y0, PLOT_W, PANEL_H);
        for (int i = 0; i <= 5; i++) {
            final int x = X0 + PLOT_W * i / 5;
            g.setColor(new Color(0xdddddd));
            g.drawLine(x, y0, x, y0 + PANEL_H);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.0f s", tMax * i / 5), x - 12, y0 + PANEL_H + 16);
        }
        if (log) {
            for (double v = yMin; v <= yMax * 1.001; v *= 10) {
                final int y = y(v, y0, yMin, yMax, true);
                g.setColor(new Color(0xdddddd));
                g.drawLine(X0, y, X0 + PLOT_W, y);
                g.setColor(Color.BLACK);
                g.drawString(Plots.duration(v), X0 - 60, y + 4);
            }
        } else {
            for (int i = 0; i <= 4; i++) {
                final double v = yMin + (yMax - yMin) * i / 4;
                final int y = y(v, y0, yMin, yMax, false);
                g.setColor(new Color(0xdddddd));
                g.drawLine(X0, y, X0 + PLOT_W, y);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%.0f", v), X0 - 40, y + 4);
            }
        }
    }

    private static void series(final Graphics2D g, final List<Soak.Sample> samples, final ToDoubleFunction<Soak.Sample> value, final int y0,
                               final double tMax, final double yMin, final double yMax, final boolean log, final Color color, final String name,
                               final int legendRow) {
        final Path2D.Double path = new Path2D.Double();
        boolean started = false;
        for (Soak.Sample s : samples) {
            final double v = value.applyAsDouble(s);
            if (log && v <= 0) {
                continue;
            }
            final double x = X0 + PLOT_W * (tMax <= 0 ? 0 : s.seconds / tMax);
            final double y = y(Math.max(v, log ? yMin : v), y0, yMin, yMax, log);
            if (started) {
                path.lineTo(x, y);
            } else {
                path.moveTo(x, y);
                started = true;
            }
        }
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        g.draw(path);
        g.setStroke(new BasicStroke(1f));
        final int ly = y0 + 14 + legendRow * 18;
        g.drawLine(X0 + PLOT_W + 16, ly, X0 + PLOT_W + 46, ly);
        g.setColor(Color.BLACK);
        g.drawString(name, X0 + PLOT_W + 52, ly + 4);
    }

    private static int y(final double v, final int y0, final double yMin, final double yMax, final boolean log) {
        final double f = log ? (Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin)) : (v - yMin) / (yMax - yMin);
        return (int) Math.round(y0 + PANEL_H - Math.max(0, Math.min(1, f)) * PANEL_H);
    }
}
