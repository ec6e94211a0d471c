package io.polyglot.deploy;

import io.polyglot.stack.ServerStartException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The lock that keeps the commands that start or stop the stack's processes ({@code up}, {@code down}) from running at
 * the same time on one home: an OS lock on {@value #FILE} in the home, which the OS releases when the process ends, so
 * a killed command leaves nothing to clear. A second command waits for the first, saying so, for at most a bound.
 */
final class StackLock implements AutoCloseable {

    /** The lock file in the home; it holds the pid and command of the process that holds the lock. */
    static final String FILE = "stack.lock";

    private static final Duration POLL = Duration.ofMillis(200);

    /**
     * One permit per home for the threads of this process: an OS lock keeps other processes out only, and closing a
     * second channel on the file would drop the lock this process holds.
     */
    private static final Map<Path, Semaphore> IN_THIS_PROCESS = new ConcurrentHashMap<>();

    private final FileChannel channel;
    private final FileLock lock;
    private final Semaphore permit;

    private StackLock(FileChannel channel, FileLock lock, Semaphore permit) {
        this.channel = channel;
        this.lock = lock;
        this.permit = permit;
    }

    /**
     * Takes the lock of the stack in {@code home} for {@code command}, waiting at most {@code bound} for the command
     * that holds it.
     *
     * @throws ServerStartException when the lock was not free within {@code bound}
     */
    static StackLock take(Path home, String command, Duration bound, Consumer<String> progress) {
        long deadline = System.nanoTime() + bound.toNanos();
        Semaphore permit = IN_THIS_PROCESS.computeIfAbsent(home, folder -> new Semaphore(1));
        try {
            if (!permit.tryAcquire()) {
                progress.accept("Waiting for another command of this process to finish with the stack in " + home
                        + " (at most " + text(bound) + ")");
                if (!permit.tryAcquire(bound.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new ServerStartException("gave up after " + text(bound) + " waiting for another command"
                            + " of this process to finish with the stack in " + home);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerStartException("interrupted while waiting for the lock of the stack in " + home, e);
        }
        try {
            return takeTheFile(home, command, bound, deadline, progress, permit);
        } catch (RuntimeException e) {
            permit.release();
            throw e;
        }
    }

    private static StackLock takeTheFile(
            Path home, String command, Duration bound, long deadline, Consumer<String> progress, Semaphore permit) {
        boolean said = false;
        try {
            Files.createDirectories(home);
            while (true) {
                Path file = home.resolve(FILE);
                FileChannel channel = FileChannel.open(
                        file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                Object opened = inode(file);
                FileLock lock = channel.tryLock();
                // down --wipe removes the home, lock file included, while it holds the lock: a lock taken on the file
                // it removed keeps nobody out, so it counts only while the file is still the one at the path.
                if (lock != null && opened != null && Objects.equals(opened, inode(file))) {
                    holdsNow(channel, command);
                    return new StackLock(channel, lock, permit);
                }
                String holder = lock == null ? holder(channel) : "";
                channel.close();
                if (lock != null) {
                    continue;
                }
                if (System.nanoTime() >= deadline) {
                    throw new ServerStartException("gave up after " + text(bound) + " waiting for "
                            + holder + " to finish with the stack in " + home + "; run " + command
                            + " again once it has");
                }
                if (!said) {
                    progress.accept("Waiting for " + holder + " to finish with the stack in " + home + " (at most "
                            + text(bound) + ")");
                    said = true;
                }
                Thread.sleep(POLL.toMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not lock " + home.resolve(FILE), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerStartException("interrupted while waiting for the lock of the stack in " + home, e);
        }
    }

    private static String text(Duration bound) {
        return bound.toSeconds() < 120 ? bound.toSeconds() + " s" : bound.toMinutes() + " min";
    }

    private static Object inode(Path file) throws IOException {
        try {
            return Files.getAttribute(file, "unix:ino");
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void holdsNow(FileChannel channel, String command) throws IOException {
        channel.truncate(0);
        channel.write(
                ByteBuffer.wrap((ProcessHandle.current().pid() + " " + command).getBytes(StandardCharsets.UTF_8)), 0);
    }

    /** Who holds the lock, as the holder wrote it: {@code ./polyglot down (pid 4242)}. */
    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(256);
        channel.read(buffer, 0);
        String[] written = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8)
                .strip()
                .split(" ", 2);
        return written.length == 2
                ? "./polyglot " + written[1] + " (pid " + written[0] + ")"
                : "another ./polyglot command";
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not release " + FILE, e);
        } finally {
            permit.release();
        }
    }
}
