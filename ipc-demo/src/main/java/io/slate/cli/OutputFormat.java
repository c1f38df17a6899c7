package io.slate.cli;

/** How {@code get} and {@code tail} print: readable text, or one JSON object per line. */
enum OutputFormat {
    TEXT,
    JSON
}
