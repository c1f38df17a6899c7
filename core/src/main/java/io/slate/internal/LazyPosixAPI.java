package io.slate.internal;

import net.openhft.posix.ClockId;
import net.openhft.posix.MAdviseFlag;
import net.openhft.posix.MMapFlag;
import net.openhft.posix.MMapProt;
import net.openhft.posix.MSyncFlag;
import net.openhft.posix.MclFlag;
import net.openhft.posix.OpenFlag;
import net.openhft.posix.PosixAPI;
import net.openhft.posix.WhenceFlag;

import java.io.IOException;

/**
 * Chronicle's POSIX binding, made on the first call of any of its methods ({@link ChronicleStartup}). Every method of
 * {@link PosixAPI}, default methods included, forwards to the real binding, so the real one's own overrides apply.
 *
 * <p>A plain class rather than a {@code java.lang.reflect.Proxy}: a proxy class is generated in every fresh JVM (about
 * 12 ms of a start's main thread on a 2-core machine, and class-data sharing on Java 17 cannot archive it), while this
 * class is loaded from the class-data archive like any other. {@code LazyPosixAPITest} fails if Chronicle's interface
 * gains a method this class does not forward.
 */
final class LazyPosixAPI implements PosixAPI {
    LazyPosixAPI() {
    }

    private static PosixAPI p() {
        return ChronicleStartup.real();
    }

    @Override
    public int close(final int fd) {
        return p().close(fd);
    }

    @Override
    public int fallocate(final int fd, final int mode, final long offset, final long length) {
        return p().fallocate(fd, mode, offset, length);
    }

    @Override
    public int ftruncate(final int fd, final long offset) {
        return p().ftruncate(fd, offset);
    }

    @Override
    public long lseek(final int fd, final long offset, final WhenceFlag whence) {
        return p().lseek(fd, offset, whence);
    }

    @Override
    public long lseek(final int fd, final long offset, final int whence) {
        return p().lseek(fd, offset, whence);
    }

    @Override
    public int lockf(final int fd, final int cmd, final long len) {
        return p().lockf(fd, cmd, len);
    }

    @Override
    public int madvise(final long addr, final long length, final MAdviseFlag advice) {
        return p().madvise(addr, length, advice);
    }

    @Override
    public int madvise(final long addr, final long length, final int advice) {
        return p().madvise(addr, length, advice);
    }

    @Override
    public long mmap(final long addr, final long length, final MMapProt prot, final MMapFlag flags, final int fd,
                     final long offset) {
        return p().mmap(addr, length, prot, flags, fd, offset);
    }

    @Override
    public long mmap(final long addr, final long length, final int prot, final int flags, final int fd,
                     final long offset) {
        return p().mmap(addr, length, prot, flags, fd, offset);
    }

    @Override
    public boolean mlock(final long addr, final long length) {
        return p().mlock(addr, length);
    }

    @Override
    public boolean mlock2(final long addr, final long length, final boolean lockOnFault) {
        return p().mlock2(addr, length, lockOnFault);
    }

    @Override
    public void mlockall(final MclFlag flags) {
        p().mlockall(flags);
    }

    @Override
    public void mlockall(final int flags) {
        p().mlockall(flags);
    }

    @Override
    public int msync(final long address, final long length, final MSyncFlag flags) {
        return p().msync(address, length, flags);
    }

    @Override
    public int msync(final long address, final long length, final int flags) {
        return p().msync(address, length, flags);
    }

    @Override
    public int munmap(final long addr, final long length) {
        return p().munmap(addr, length);
    }

    @Override
    public int open(final CharSequence path, final OpenFlag flags, final int perm) {
        return p().open(path, flags, perm);
    }

    @Override
    public int open(final CharSequence path, final int flags, final int perm) {
        return p().open(path, flags, perm);
    }

    @Override
    public long read(final int fd, final long dst, final long len) {
        return p().read(fd, dst, len);
    }

    @Override
    public long write(final int fd, final long src, final long len) {
        return p().write(fd, src, len);
    }

    @Override
    public long du(final String filename) throws IOException {
        return p().du(filename);
    }

    @Override
    public int gettimeofday(final long timeval) {
        return p().gettimeofday(timeval);
    }

    @Override
    public int sched_setaffinity(final int pid, final int cpusetsize, final long mask) {
        return p().sched_setaffinity(pid, cpusetsize, mask);
    }

    @Override
    public int sched_getaffinity(final int pid, final int cpusetsize, final long mask) {
        return p().sched_getaffinity(pid, cpusetsize, mask);
    }

    @Override
    public String sched_getaffinity_summary(final int pid) {
        return p().sched_getaffinity_summary(pid);
    }

    @Override
    public int lastError() {
        return p().lastError();
    }

    @Override
    public int sched_setaffinity_as(final int pid, final int cpu) {
        return p().sched_setaffinity_as(pid, cpu);
    }

    @Override
    public int sched_setaffinity_range(final int pid, final int from, final int to) {
        return p().sched_setaffinity_range(pid, from, to);
    }

    @Override
    public long gettimeofday() {
        return p().gettimeofday();
    }

    @Override
    public long clock_gettime() {
        return p().clock_gettime();
    }

    @Override
    public long clock_gettime(final ClockId clockId) {
        return p().clock_gettime(clockId);
    }

    @Override
    public long clock_gettime(final int clockId) {
        return p().clock_gettime(clockId);
    }

    @Override
    public long malloc(final long size) {
        return p().malloc(size);
    }

    @Override
    public void free(final long ptr) {
        p().free(ptr);
    }

    @Override
    public int get_nprocs() {
        return p().get_nprocs();
    }

    @Override
    public int get_nprocs_conf() {
        return p().get_nprocs_conf();
    }

    @Override
    public int getpid() {
        return p().getpid();
    }

    @Override
    public int gettid() {
        return p().gettid();
    }

    @Override
    public String strerror(final int errno) {
        return p().strerror(errno);
    }

    @Override
    public String lastErrorStr() {
        return p().lastErrorStr();
    }

    @Override
    public String toString() {
        return "lazy " + PosixAPI.class.getName();
    }
}
