package io.slate.internal;

import io.slate.shm.EntryDescriptor;
import io.slate.kv.EntryBuffer;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.hash.serialization.SizedReader;
import net.openhft.chronicle.hash.serialization.SizedWriter;
import net.openhft.chronicle.hash.serialization.impl.EnumMarshallable;

/*
 * This class's name is written into the header of every space's kv.cm3 (Chronicle Map stores its marshallers' class
 * names): it stays io.slate.internal.EntryMarshaller so that every existing space opens. Do not move or rename it.
 */
/**
 * Reads and writes a map value ({@link EntryDescriptor} layout) straight between the map's memory and an
 * {@link EntryBuffer}: {@code ChronicleMap.getUsing} (Chronicle's optimized read path) fills a caller's buffer for the
 * allocation-free get, and the write path hands its reused pending entry to the map, which writes it in place.
 *
 * <p>Stateless; Chronicle Map records this class in its file header and resolves it to {@link #INSTANCE}.
 */
public final class EntryMarshaller implements SizedReader<EntryBuffer>, SizedWriter<EntryBuffer>, EnumMarshallable<EntryMarshaller> {
    public static final EntryMarshaller INSTANCE = new EntryMarshaller();

    private EntryMarshaller() {
    }

    @Override
    public EntryBuffer read(final Bytes<?> in, final long size, final EntryBuffer using) {
        final EntryBuffer b = using != null ? using : new EntryBuffer();
        read(in, in.readPosition(), size, b);
        in.readSkip(size);
        return b;
    }

    /** Copies the map value of {@code size} bytes at {@code offset} of {@code in} into {@code b}. */
    public static void read(final RandomDataInput in, final long offset, final long size, final EntryBuffer b) {
        final long version = in.readLong(offset + EntryDescriptor.VERSION_OFFSET);
        final long timestamp = in.readLong(offset + EntryDescriptor.TIMESTAMP_OFFSET);
        final long index = in.readLong(offset + EntryDescriptor.INDEX_OFFSET);
        final int flags = in.readUnsignedByte(offset + EntryDescriptor.FLAGS_OFFSET);
        final int agentLen = in.readUnsignedByte(offset + EntryDescriptor.AGENT_LENGTH_OFFSET);
        final int valueLen = (int) (size - EntryDescriptor.AGENT_OFFSET - agentLen);
        final byte[] dst = b.prepare(valueLen, version, timestamp, index);
        b.removed((flags & EntryDescriptor.FLAG_TOMBSTONE) != 0);
        // the writer's id is copied raw and decoded only if the caller asks for it
        in.read(offset + EntryDescriptor.AGENT_OFFSET, b.writerBytes(), 0, agentLen);
        b.writerLength(agentLen);
        in.read(offset + EntryDescriptor.AGENT_OFFSET + agentLen, dst, 0, valueLen);
    }

    @Override
    public long size(final EntryBuffer e) {
        return EntryDescriptor.AGENT_OFFSET + e.writerByteLength() + e.length();
    }

    @Override
    public void write(final Bytes<?> out, final long size, final EntryBuffer e) {
        out.writeLong(e.version());
        out.writeLong(e.timestampNanos());
        out.writeLong(e.journalIndex());
        out.writeByte((byte) (e.isRemoved() ? EntryDescriptor.FLAG_TOMBSTONE : 0));
        final int agentLen = e.writerByteLength();
        out.writeUnsignedByte(agentLen);
        out.write(e.writerBytes(), 0, agentLen);
        out.write(e.buffer(), 0, e.length());
    }

    @Override
    public EntryMarshaller readResolve() {
        return INSTANCE;
    }
}
