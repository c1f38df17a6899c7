/**
 * The seam between Slate's features and the engines that hold a space: a {@link io.slate.spi.Backend} opens a
 * {@link io.slate.spi.BackendSpace}, which gives the feature engines an ordered {@link io.slate.spi.RecordLog}
 * (append, raw cursors with a {@link io.slate.spi.LogRecord} flyweight, named positions), the versioned
 * {@link io.slate.spi.KeyValueStore}, agent references with liveness, and the sync primitives. See
 * {@code docs/architecture.md} for what each backend must guarantee; the contract suite in core's test jar checks it.
 */
package io.slate.spi;
