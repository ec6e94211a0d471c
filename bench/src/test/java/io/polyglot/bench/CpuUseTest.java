package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CpuUseTest {
    /** A shell loop that keeps one core busy for a few tenths of a second. */
    private static final String SPIN = "i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done";

    private Process shell;

    @AfterEach
    void stopShell() {
        if (shell != null) {
            shell.descendants().forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly();
        }
    }

    @Test
    void countsTheBusyTimeOfAllCoresFromTheFirstLineOfProcStat() {
        // when: user nice system idle iowait irq softirq steal guest guest_nice
        long[] ticks = CpuUse.parseMachineTicks("cpu  10 20 30 400 50 6 7 8 9 0");

        // then: busy is user, nice, system, irq and softirq (guest time is already in user); the rest of the total is
        // idle, iowait and steal
        assertThat(ticks).containsExactly(73, 531);
        assertThatThrownBy(() -> CpuUse.parseMachineTicks("cpu0 10 20 30 400 50 6 7 8 9 0"))
                .isInstanceOf(IllegalArgumentException.class);
        long[] now = CpuUse.machineTicks().orElseThrow();
        assertThat(now[1]).isGreaterThan(now[0]).isPositive();
    }

    @Test
    void chargesAProcessWithTheCpuOfAChildItReapedDuringTheWindow() throws Exception {
        // given: a shell that, once told, runs a child that spins, waits for it, then becomes a sleep
        shell = new ProcessBuilder("sh", "-c", "read go; sh -c '" + SPIN + "'; exec sleep 60").start();
        await().until(() -> CpuUse.treeTicks(shell.pid(), Set.of()).isPresent());
        CpuUse.Window window = CpuUse.start(Map.of("shell", shell.pid()));

        // when
        tell(shell);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> commandName(shell.pid()).equals("sleep"));
        CpuUse use = window.end();

        // then: the child is gone, its time is in the shell's reaped children's
        assertThat(shell.descendants().count()).isZero();
        assertThat(use.processSeconds().get("shell")).isGreaterThanOrEqualTo(0.05);
        assertThat(use.busyCoreSeconds())
                .isGreaterThanOrEqualTo(use.processSeconds().get("shell"));
        assertThat(use.busyShare()).isBetween(0.0, 1.0);
        assertThat(use.seconds()).isPositive();
    }

    @Test
    void chargesAProcessWithTheCpuOfADescendantThatStillRuns() throws Exception {
        // given: a shell whose child spins, then becomes a sleep that outlives the window
        shell = new ProcessBuilder("sh", "-c", "read go; sh -c '" + SPIN + "; exec sleep 60'; sleep 60").start();
        await().until(() -> CpuUse.treeTicks(shell.pid(), Set.of()).isPresent());
        CpuUse.Window window = CpuUse.start(Map.of("shell", shell.pid()));

        // when
        tell(shell);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> shell.descendants()
                        .anyMatch(child -> commandName(child.pid()).equals("sleep")));
        CpuUse use = window.end();

        // then
        assertThat(use.processSeconds().get("shell")).isGreaterThanOrEqualTo(0.05);
    }

    @Test
    void leavesADescendantThatIsNamedItselfToItsOwnName() throws Exception {
        // given: a shell whose child, once told, spins and stays, named apart like a server the bench started
        shell = new ProcessBuilder("sh", "-c", "sh -c 'read go; " + SPIN + "; exec sleep 60'; sleep 60").start();
        await().until(() -> shell.descendants().count() == 1);
        long child = shell.descendants().findFirst().orElseThrow().pid();
        CpuUse.Window window = CpuUse.start(Map.of("shell", shell.pid(), "child", child));

        // when
        tell(shell);
        await().atMost(Duration.ofSeconds(60)).until(() -> commandName(child).equals("sleep"));
        CpuUse use = window.end();

        // then
        assertThat(use.processSeconds().get("child")).isGreaterThanOrEqualTo(0.05);
        assertThat(use.processSeconds().get("shell")).isLessThan(0.05);
    }

    @Test
    void chargesAParentOfNamedProcessesWithItsOwnThreadsOnlyEvenWhenItReapsOneOfThem() throws Exception {
        // given: a shell, like the bench, whose named child spins once told and exits, and which then reaps it
        shell = new ProcessBuilder("sh", "-c", "sh -c 'read go; " + SPIN + "'; exec sleep 60").start();
        await().until(() -> shell.descendants().count() == 1);
        long child = shell.descendants().findFirst().orElseThrow().pid();
        CpuUse.Window window = CpuUse.start(Map.of("shell", shell.pid(), "child", child));

        // when
        tell(shell);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> commandName(shell.pid()).equals("sleep"));
        CpuUse use = window.end();

        // then: the child's time went to the shell's reaped children, which a parent of named processes leaves out
        assertThat(use.processSeconds()).containsOnlyKeys("shell");
        assertThat(use.processSeconds().get("shell")).isLessThan(0.05);
        assertThat(use.busyCoreSeconds()).isGreaterThanOrEqualTo(0.05);
    }

    @Test
    void leavesOutAProcessThatIsGoneByTheEndOfTheWindow() throws Exception {
        // given
        shell = new ProcessBuilder("sleep", "60").start();
        long self = ProcessHandle.current().pid();
        CpuUse.Window window = CpuUse.start(Map.of("sleep", shell.pid(), "bench", self));

        // when
        shell.destroyForcibly().waitFor();
        CpuUse use = window.end();

        // then
        assertThat(use.processSeconds()).containsOnlyKeys("bench");
    }

    @Test
    void putsTheMachinesBusyShareTheCpuPerCommandAndTheCoresEachProcessUsed() {
        // given: 10 s in which the cores were half busy, 20,000 commands
        Map<String, Double> processes = new LinkedHashMap<>();
        processes.put("command-service", 4.0);
        processes.put("kafka", 2.5);
        CpuUse use = new CpuUse(10, 0.5, 10.0, processes);
        Map<String, Figure> figures = new LinkedHashMap<>();

        // when
        use.putInto(figures, "single ", 20_000);

        // then
        assertThat(figures)
                .containsExactly(
                        Map.entry("single machine busy", new Figure(50, "%")),
                        Map.entry("single machine CPU per command", new Figure(500, "us")),
                        Map.entry("single command-service CPU per command", new Figure(200, "us")),
                        Map.entry("single cores used by command-service", new Figure(0.4, "cores")),
                        Map.entry("single cores used by kafka", new Figure(0.25, "cores")));
    }

    @Test
    void leavesOutTheMachinesFiguresWhenItsBusyTimeIsUnknown() {
        // given
        CpuUse use = new CpuUse(10, Double.NaN, Double.NaN, Map.of("kafka", 2.5));
        Map<String, Figure> figures = new LinkedHashMap<>();

        // when
        use.putInto(figures, "", 1_000);

        // then
        assertThat(figures).containsOnlyKeys("cores used by kafka");
    }

    private static void tell(Process process) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    /** The command name of {@code /proc/<pid>/stat}, or empty when the process is gone. */
    private static String commandName(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        } catch (IOException e) {
            return "";
        }
    }
}
