package io.polyglot.archiver;

import io.polyglot.runtime.InvalidSettingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One archiver per warm directory: at start an instance deletes the journals and partial files a crashed run left
 * there, which would destroy the open segments of another live instance sharing the folder. The lock is an OS file
 * lock on {@code WARM_DIR/.lock}, so a killed instance releases it with its process.
 *
 * @param channel the open lock file
 * @param lock the lock held on it until {@link #close}
 */
record WarmDirectoryLock(FileChannel channel, FileLock lock) implements AutoCloseable {

    private static final String LOCK_FILE = ".lock";

    /**
     * Claims {@code warmDir} for this instance, creating it if needed.
     *
     * @throws InvalidSettingException when another archiver holds it: WARM_DIR must differ per instance
     */
    static WarmDirectoryLock claim(Path warmDir) {
        try {
            Files.createDirectories(warmDir);
            FileChannel channel =
                    FileChannel.open(warmDir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = null;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                // Held by another instance in this same JVM.
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new InvalidSettingException("WARM_DIR='" + warmDir
                        + "' is in use by another archiver instance; each instance needs a warm directory of its own");
            }
            return new WarmDirectoryLock(channel, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the warm directory " + warmDir, e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the lock of the warm directory", e);
        }
    }
}
