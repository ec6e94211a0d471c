package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MachineTest {
    @Test
    void readsTheCpuTimeARunningProcessHasUsedAndNothingForOneThatIsGone() throws Exception {
        // given
        long self = ProcessHandle.current().pid();
        double before = Machine.cpuSeconds(self).orElseThrow();
        long spin = 0;
        for (long i = 0; i < 400_000_000L; i++) {
            spin += i ^ (spin >>> 3);
        }
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();

        // when
        double after = Machine.cpuSeconds(self).orElseThrow();

        // then
        assertThat(spin).isNotZero();
        assertThat(after).isGreaterThan(before);
        assertThat(Machine.cpuSeconds(gone.pid())).isEmpty();
    }
}
