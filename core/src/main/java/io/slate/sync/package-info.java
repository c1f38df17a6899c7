/**
 * Synchronization across the processes of one host: {@link io.slate.sync.Mutex} with fencing tokens,
 * {@link io.slate.sync.Semaphore}, {@link io.slate.sync.AtomicCounter}, {@link io.slate.sync.CountDownLatch} and a
 * cyclic {@link io.slate.sync.Barrier}, all named and obtained from {@link io.slate.sync.Sync#of(io.slate.space.Space)}.
 *
 * <p>What an agent holds is reclaimed exactly when its process dies: a dead holder is recognized by PID and process
 * start time, never guessed from a lease, so a live holder is never robbed. The shared state is one mapped file of the
 * space, {@code sync.slate}; its layout and the acquisition and recovery protocol are in {@code docs/sync.md}.
 */
package io.slate.sync;
