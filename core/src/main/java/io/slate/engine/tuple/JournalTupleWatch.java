package io.slate.engine.tuple;

import io.slate.idle.IdleStrategy;
import io.slate.journal.Op;
import io.slate.space.CorruptSpaceException;
import io.slate.space.SpaceException;
import io.slate.spi.BackendSpace;
import io.slate.spi.LogRecord;
import io.slate.spi.NamedPosition;
import io.slate.spi.RecordCursor;
import io.slate.tuple.Template;
import io.slate.tuple.TupleBuffer;
import io.slate.tuple.TupleHandler;
import io.slate.tuple.TupleWatch;

import java.util.concurrent.TimeUnit;

import static io.slate.engine.tuple.TupleRecordDescriptor.OUT_TTL_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.OUT_TUPLE_OFFSET;

/**
 * A watch on the {@code TUPLE_OUT} records of one tuple space. A named watch keeps its position in a slot of the
 * space's named positions ({@link NamedPosition}, so retention keeps what it has not read), and stores it only
 * once the tuple was handled: after the handler of {@link #poll} returns, at the call after {@link #next}, on
 * {@link #commit()} or {@link #close()}. A crash therefore repeats at most the tuple being handled and never skips one.
 * Between tuples, the position also moves over the records that did not match, so a restart does not read them again.
 *
 * <p>Single-threaded. The thread that first reads it owns its cursor (positioning in the constructor does not count;
 * on the shared-memory backend the cursor is a Chronicle tailer, which is single-threaded).
 */
final class JournalTupleWatch implements TupleWatch {
    private final BackendSpace space;
    private final RecordCursor tailer;
    private final TupleRecordReader reader;
    private final byte[] template;
    private final TupleBuffer buffer = new TupleBuffer();
    private final String name;
    private final NamedPosition position;
    private final IdleStrategy idle;
    private long lastId = -1;
    /** Index of the last record read, matching or not. */
    private long lastRead = -1;
    /** Index of the tuple returned by {@link #next} and not yet stored as handled, or -1. */
    private long delivered = -1;
    /** The position last stored (named watch). */
    private long stored;
    private boolean closed;

    private JournalTupleWatch(final BackendSpace space, final byte[] tupleSpaceName, final Template template, final String name,
                              final NamedPosition position) {
        this.space = space;
        this.reader = new TupleRecordReader(space.log(), tupleSpaceName);
        this.template = new byte[template.encodedLength()];
        template.encodeTo(this.template, 0);
        this.name = name;
        this.position = position;
        this.idle = space.options().idleStrategy().get();
        this.tailer = space.log().cursor();
    }

    /**
     * A watch positioned after {@code afterIndex} ({@code -1} from the end, {@code 0} from the start), or, when
     * {@code position} is given, after the index stored there.
     */
    static JournalTupleWatch open(final BackendSpace space, final byte[] tupleSpaceName, final Template template, final long afterIndex,
                                  final String name, final NamedPosition position) {
        final JournalTupleWatch w = new JournalTupleWatch(space, tupleSpaceName, template, name, position);
        try {
            if (position != null) {
                final long last = position.get();
                if (position.lost()) {
                    throw io.slate.engine.journal.LogJournal.lost(position, last, space.log());
                }
                w.stored = last;
                if (last == 0) {
                    w.tailer.toStart();
                } else {
                    w.resumeAfter(last, true);
                }
            } else if (afterIndex < 0) {
                w.tailer.toEnd();
            } else if (afterIndex == 0) {
                w.tailer.toStart();
            } else {
                w.resumeAfter(afterIndex, false);
            }
        } catch (RuntimeException e) {
            w.tailer.close();
            throw e;
        }
        space.register(w);
        return w;
    }

    private void resumeAfter(final long index, final boolean named) {
        final long first = space.log().firstIndex();
        if (first >= 0 && index < first && !named) {
            tailer.toStart(); // before the retained journal: everything there is after it
            return;
        }
        try {
            tailer.after(index);
        } catch (SpaceException e) {
            throw notFound(index, named);
        }
        lastRead = index;
    }

    private RuntimeException notFound(final long index, final boolean named) {
        if (named) {
            return new CorruptSpaceException(space.log().location(), "cannot resume watch '" + name + "' after journal index " + index + " (0x"
                    + Long.toHexString(index) + "): that record is not in the journal");
        }
        return new IllegalArgumentException("journal index " + index + " (0x" + Long.toHexString(index) + ") is not a record of the journal in "
                + space.address());
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("watch " + (name == null ? "" : "'" + name + "' ") + "is closed");
        }
        space.ensureOpen();
    }

    /** Reads one record: 1 when it is a matching tuple (now in the buffer), 0 for another record, -1 when there is none. */
    private int readOne() {
        final LogRecord r = tailer.next();
        if (r == null) {
            return -1;
        }
        final long i = r.index();
        if (position != null && position.lost()) {
            // retention removed records this watch had not handled: say so rather than deliver after the gap
            throw io.slate.engine.journal.LogJournal.lost(position, stored, space.log());
        }
        final int code = reader.read(r);
        lastRead = i;
        if (code != Op.TUPLE_OUT.code() || !TupleCodec.matches(template, 0, reader.value(), OUT_TUPLE_OFFSET)) {
            return 0;
        }
        final long ttl = TupleCodec.getLong(reader.value(), OUT_TTL_OFFSET);
        final long written = reader.timestamp();
        final long expires = ttl <= 0 ? Long.MAX_VALUE : written + ttl < written ? Long.MAX_VALUE : written + ttl;
        buffer.set(reader.value(), OUT_TUPLE_OFFSET, reader.valueLength() - OUT_TUPLE_OFFSET).origin(i, written, expires);
        lastId = i;
        return 1;
    }

    @Override
    public boolean poll(final TupleHandler handler) {
        ensureOpen();
        commit();
        while (true) {
            final int r = readOne();
            if (r < 0) {
                store(lastRead);
                return false;
            }
            if (r > 0) {
                handler.onTuple(buffer);
                store(lastRead);
                return true;
            }
        }
    }

    @Override
    public TupleBuffer next(final long timeout, final TimeUnit unit) {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout must be >= 0, got " + timeout);
        }
        ensureOpen();
        commit();
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        idle.reset();
        while (true) {
            final int r = readOne();
            if (r > 0) {
                delivered = lastRead;
                return buffer;
            }
            if (r < 0) {
                store(lastRead);
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                if (!tailer.awaitArrival(left)) { // etcd parks until its watch delivers; shared memory spins or idles
                    idle.idle();
                }
            }
        }
    }

    @Override
    public void commit() {
        if (delivered >= 0) {
            store(delivered);
            delivered = -1;
        }
    }

    /** Stores {@code index} as the named watch's position (release store), never moving it back. */
    private void store(final long index) {
        if (position != null && index > stored) {
            if (!position.advance(stored, index)) {
                throw io.slate.engine.journal.LogJournal.lost(position, stored, space.log());
            }
            stored = index;
        }
    }

    @Override
    public long lastId() {
        return lastId;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        commit();
        tailer.close();
        space.unregister(this);
    }
}
