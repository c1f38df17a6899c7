package io.slate.shm;

import io.slate.space.CorruptSpaceException;
import io.slate.space.SpaceAccessException;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * The files and directories of a space as the file system sees them: their modes, their owner, and the check every
 * opener makes before mapping or parsing a file.
 *
 * <p>Modes do not depend on the process umask. A space's directories are {@code 0700}, or {@code 02770} when the
 * space is group-shared (setgid, so every file takes the directory's group). A file's mode follows the directory it
 * is in: {@code 0600}, or {@code 0660} when that directory is open to its group. Files we make are created with that
 * mode and then set to it exactly (the umask may have removed bits); files Chronicle makes get it right after
 * creation, or from the start where we can create them for Chronicle (see {@link JournalFiles}). "Others" never get
 * any access.
 *
 * <p>Ownership is checked by owner, not by trying an access: root opening another user's private space is refused
 * like anyone else.
 */
public final class SpaceFiles {
    /** Mode of a private space's directories. */
    static final int PRIVATE_DIRECTORY_MODE = 0700;
    /** Mode of a group-shared space's directories: group rwx, setgid. */
    static final int SHARED_DIRECTORY_MODE = 02770;
    private static final int PERMISSION_BITS = 07777;
    private static final Path PROC_SELF = Paths.get("/proc/self");

    private SpaceFiles() {
    }

    /** The mode of a space's directories. */
    public static int directoryMode(final boolean groupShared) {
        return groupShared ? SHARED_DIRECTORY_MODE : PRIVATE_DIRECTORY_MODE;
    }

    /** The mode of a file in a directory of mode {@code directoryMode}: read-write for the owner, and the group if the directory is the group's. */
    static int fileModeIn(final int directoryMode) {
        return (directoryMode & 0070) == 0070 ? 0660 : 0600;
    }

    /**
     * Creates {@code dir} (its missing parents with default modes) with exactly the mode of a space directory. An
     * existing directory is left as it is. Returns true when this call created it.
     */
    public static boolean createDirectory(final Path dir, final boolean groupShared) {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try {
            final Path parent = dir.getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                Files.createDirectories(parent);
            }
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            return false; // another process made it first, or it is not a directory: the caller checks
        } catch (IOException e) {
            throw MappedFile.ioProblem(dir, "cannot create the directory", e);
        }
        setMode(dir, directoryMode(groupShared));
        return true;
    }

    /**
     * Creates an empty {@code file}, unless it exists, with the mode its directory calls for, so that whoever fills
     * it later (we, or Chronicle) finds it with the right mode from the start. An existing file is left as it is.
     */
    public static void createFile(final Path file) {
        final int mode = fileModeIn(mode(file.getParent()));
        try {
            Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))).close();
        } catch (FileAlreadyExistsException e) {
            return;
        } catch (IOException e) {
            throw MappedFile.ioProblem(file, "cannot create", e);
        }
        setMode(file, mode);
    }

    /**
     * Gives {@code file} the mode its directory calls for, if it has another. For files Chronicle created with the
     * process umask. A file of another user (group-shared space) that already has the right mode is not touched.
     */
    public static void restrict(final Path file) {
        final int want = fileModeIn(mode(file.getParent()));
        if (mode(file) != want) {
            setMode(file, want);
        }
    }

    /** The permission bits (with setuid, setgid, sticky) of {@code p}, not following a link. */
    public static int mode(final Path p) {
        return (Integer) attribute(p, "unix:mode") & PERMISSION_BITS;
    }

    static void setMode(final Path p, final int mode) {
        try {
            Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            throw MappedFile.ioProblem(p, "cannot set mode " + Integer.toOctalString(mode), e);
        }
    }

    /** The numeric owner of {@code p}, not following a link. */
    public static int ownerUid(final Path p) {
        return (Integer) attribute(p, "unix:uid");
    }

    /** The effective user id of this process (the owner of {@code /proc/self}). */
    public static int currentUid() {
        return (Integer) attribute(PROC_SELF, "unix:uid");
    }

    /** The name of the user owning {@code p} (its number when the user has no name). */
    public static String ownerName(final Path p) {
        try {
            return Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName();
        } catch (IOException e) {
            return Integer.toString(ownerUid(p));
        }
    }

    /**
     * Refuses a space directory owned by another user, unless the opener asked for a group-shared space: the check
     * is on ownership, not on access, so root is refused too. (Whether the space really is group-shared is checked
     * once its header is read, {@link #checkSharedWithOthers}.)
     */
    static void checkOwner(final Path dir, final boolean groupShared) {
        final int owner = ownerUid(dir);
        final int me = currentUid();
        if (owner != me && !groupShared) {
            throw new SpaceAccessException(dir, "space is owned by user '" + ownerName(dir) + "' (uid " + owner + "), not by '"
                    + System.getProperty("user.name") + "' (uid " + me + "): a space is private to the user who created it. Open it as '"
                    + ownerName(dir) + "', or, if it was created group-shared, open it with groupShared(true) (slate --group-shared)");
        }
    }

    /** Refuses another user's space that was not created group-shared, even to an opener who asked for sharing. */
    static void checkSharedWithOthers(final Path dir, final boolean spaceIsGroupShared) {
        final int owner = ownerUid(dir);
        if (owner != currentUid() && !spaceIsGroupShared) {
            throw new SpaceAccessException(dir, "space is owned by user '" + ownerName(dir) + "' (uid " + owner
                    + ") and was created private, not group-shared: only its owner may open it");
        }
    }

    /**
     * Checks, before anything is mapped or parsed, that {@code file} is a regular file (not a link, not a directory)
     * of at least {@code minLength} bytes. Returns its length.
     *
     * @param what what the file is, for the message ("key/value map", "space header")
     */
    public static long requireFile(final Path file, final long minLength, final String what) {
        final BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new CorruptSpaceException(file, what + " is missing");
        } catch (IOException e) {
            throw MappedFile.ioProblem(file, "cannot read the " + what, e);
        }
        if (a.isSymbolicLink()) {
            throw new CorruptSpaceException(file, what + " is a symbolic link; a space holds only its own regular files");
        }
        if (!a.isRegularFile()) {
            throw new CorruptSpaceException(file, what + " is not a regular file");
        }
        if (a.size() < minLength) {
            throw new CorruptSpaceException(file, what + " is truncated: " + a.size() + " bytes, expected at least " + minLength);
        }
        return a.size();
    }

    private static Object attribute(final Path p, final String name) {
        try {
            final Map<String, Object> m = Files.readAttributes(p, name, LinkOption.NOFOLLOW_LINKS);
            return m.get(name.substring(name.indexOf(':') + 1));
        } catch (IOException e) {
            throw MappedFile.ioProblem(p, "cannot read " + name, e);
        } catch (UnsupportedOperationException e) {
            throw new SpaceAccessException(p, "the file system does not report " + name + " (Slate needs a POSIX file system such as tmpfs)", e);
        }
    }
}
