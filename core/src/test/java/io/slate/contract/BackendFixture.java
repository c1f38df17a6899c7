package io.slate.contract;

import io.slate.space.SpaceOptions;

import java.util.List;

/**
 * What the contract suite needs from a backend: fresh space addresses, a way to remove a space, and what a child JVM
 * needs to open the same space as another agent (the class path of the test JVM is passed on). A backend passes the
 * suite by subclassing each contract class with a one-line {@code fixture()}.
 */
public interface BackendFixture extends AutoCloseable {
    /** The backend's name, for messages. */
    String name();

    /** A new address nobody uses yet (a name, a path, or {@code scheme://...}). */
    String newAddress(String label);

    /** Options to open {@code address}, with whatever the backend needs for tests. */
    default SpaceOptions options(final String address) {
        return SpaceOptions.of(address);
    }

    /** Removes the space at {@code address}, with everything in it. */
    void remove(String address);

    /** Extra JVM options a child agent JVM needs to reach the backend (system properties). */
    default List<String> childJvmOptions() {
        return List.of();
    }

    @Override
    default void close() {
    }
}
