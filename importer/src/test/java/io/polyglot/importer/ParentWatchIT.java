package io.polyglot.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged importer started by a shell that is then killed with SIGKILL, as a dashboard killed mid-import is:
 * with {@code --exit-with-parent} the importer ends too, without it the import goes on as an orphan. The command
 * service is a loopback socket that accepts and never answers, which keeps the import waiting for as long as the
 * test needs; a real command service would finish the small log first.
 */
class ParentWatchIT {

    private static final Path ROOT =
            Path.of(System.getProperty("polyglot.root", "..")).toAbsolutePath().normalize();

    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final List<ProcessHandle> started = new ArrayList<>();
    private ServerSocket silent;

    @AfterEach
    void stopEverything() throws IOException {
        started.forEach(ProcessHandle::destroyForcibly);
        for (Socket socket : accepted) {
            socket.close();
        }
        if (silent != null) {
            silent.close();
        }
    }

    @Test
    void endsWhenTheProcessThatStartedItIsKilled(@TempDir Path folder) throws Exception {
        // given
        ProcessHandle importer = importerUnderAShellThatIsKilled(folder, true);

        // then
        await().atMost(Duration.ofSeconds(20)).until(() -> !importer.isAlive());
    }

    @Test
    void goesOnWithoutTheOptionWhenTheProcessThatStartedItIsKilled(@TempDir Path folder) throws Exception {
        // given
        ProcessHandle importer = importerUnderAShellThatIsKilled(folder, false);

        // then: the orphan goes on running, which is what the option is for
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(importer::isAlive);
    }

    private ProcessHandle importerUnderAShellThatIsKilled(Path folder, boolean exitWithParent) throws Exception {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptForever, "silent-command-service");
        acceptor.setDaemon(true);
        acceptor.start();
        Path log = folder.resolve("log.csv");
        Files.writeString(log, "case,activity,time\nc-1,Opened,2024-01-01T00:00:00Z\n", StandardCharsets.UTF_8);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String importer = String.join(
                " ",
                java,
                "-jar",
                ROOT.resolve("importer/target/importer.jar").toString(),
                "--type=Ticket",
                "--case-column=case",
                "--activity-column=activity",
                "--time-column=time",
                "--url=http://127.0.0.1:" + silent.getLocalPort(),
                "--progress=off",
                exitWithParent ? "--exit-with-parent" : "",
                log.toString());
        // the shell prints its child's pid and waits; killing it leaves the child to init
        Process shell = new ProcessBuilder("sh", "-c", importer + " > /dev/null 2>&1 & echo $!; wait")
                .redirectErrorStream(true)
                .start();
        started.add(shell.toHandle());
        long pid =
                Long.parseLong(new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8))
                        .readLine()
                        .trim());
        ProcessHandle child = ProcessHandle.of(pid).orElseThrow();
        started.add(child);
        // when: the import is waiting for its first answer, the shell is killed
        await().atMost(Duration.ofSeconds(30)).until(() -> !accepted.isEmpty());
        shell.destroyForcibly().waitFor();
        assertThat(child.isAlive())
                .as("the importer outlived the first moment of its parent's death")
                .isTrue();
        return child;
    }

    private void acceptForever() {
        try {
            while (!silent.isClosed()) {
                Socket socket = silent.accept();
                accepted.add(socket);
            }
        } catch (IOException e) {
            // the test closed the socket
        }
    }
}
