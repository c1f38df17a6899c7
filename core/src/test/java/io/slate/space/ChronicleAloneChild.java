package io.slate.space;

import io.slate.internal.EntryMarshaller;
import io.slate.kv.EntryBuffer;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.io.File;

/**
 * The control of the foreign-content tests, in a child JVM: gives a crafted file straight to Chronicle, as Slate did
 * before it checked headers, to show the file really makes Chronicle load the class it names. Args: {@code map FILE}
 * or {@code queue DIR}; the marker file is set with {@code -Dslate.test.marker}. Prints what Chronicle did.
 */
final class ChronicleAloneChild {
    private ChronicleAloneChild() {
    }

    public static void main(final String[] args) {
        System.setProperty(ForeignClassMarker.MARKER_PROPERTY, args[2]);
        try {
            if (args[0].equals("map")) {
                ChronicleMapBuilder.of(CharSequence.class, EntryBuffer.class)
                        .valueMarshallers(EntryMarshaller.INSTANCE, EntryMarshaller.INSTANCE)
                        .entries(1000)
                        .averageKeySize(32)
                        .averageValueSize(128)
                        .createPersistedTo(new File(args[1]))
                        .close();
            } else {
                SingleChronicleQueueBuilder.binary(new File(args[1])).build().close();
            }
            System.out.println("OPENED");
        } catch (Throwable t) {
            System.out.println("FAILED " + t);
        }
    }
}
