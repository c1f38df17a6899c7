package io.slate.journal;

/** Receives journal records in index order. The record is a flyweight valid only during the call. */
@FunctionalInterface
public interface RecordHandler {
    void onRecord(JournalRecord record);
}
