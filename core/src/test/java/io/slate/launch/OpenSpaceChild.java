package io.slate.launch;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;

import java.nio.file.Paths;

/**
 * Run in a child JVM by {@link JvmOptionsTest}: opens the space at {@code args[0]} and writes a key, as an application
 * would. Prints "OPENED version" on success; on {@link MissingJvmOptionsException}, "MISSING option" per missing option
 * then the message between "MESSAGE" and "END", exit 3; anything else is printed as "OTHER" with its stack trace, exit 4.
 */
final class OpenSpaceChild {
    private OpenSpaceChild() {
    }

    public static void main(final String[] args) {
        try (Space space = Space.open(SpaceOptions.at(Paths.get(args[0])))) {
            System.out.println("OPENED " + space.kv().putString("hello", "world"));
        } catch (MissingJvmOptionsException e) {
            e.missing().forEach(m -> System.out.println("MISSING " + m));
            System.out.println("MESSAGE");
            System.out.println(e.getMessage());
            System.out.println("END");
            System.out.flush();
            System.exit(3);
        } catch (Throwable t) {
            System.out.println("OTHER " + t);
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(4);
        }
    }
}
