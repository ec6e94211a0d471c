package io.polyglot.chaos;

import io.polyglot.deploy.PolyglotCli;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ./polyglot chaos [--short] [--seed N]}: see {@link ChaosRun}. */
@Command(
        name = "chaos",
        mixinStandardHelpOptions = true,
        description = {
            "Imports real logs into a stack of its own (temporary home, free ports) while killing services, restarting"
                    + " the broker and taking storage and database down, then checks the topic, the archive and the"
                    + " views against the log files. At most 10 minutes, --short at most 5.",
            "Logs from POLYGLOT_DATASETS, else ../shared/datasets next to the repository.",
            "Exit status: 0 every check passed, 1 a check failed, 3 past the bound."
        })
public final class ChaosCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @ParentCommand
    PolyglotCli cli;

    @Option(names = "--short", description = "Helpdesk and the first 1,500 BPI 2012 cases, at most 5 minutes (CI).")
    boolean shortRun;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the fault schedule; by default the clock's.")
    Long seed;

    @Override
    public Integer call() {
        Path datasets = Optional.ofNullable(System.getenv("POLYGLOT_DATASETS"))
                .filter(value -> !value.isBlank())
                .map(Path::of)
                .orElse(cli.repoRoot().resolveSibling("shared").resolve("datasets"));
        long chosen = seed != null ? seed : System.currentTimeMillis();
        return new ChaosRun(
                        cli.repoRoot(),
                        datasets,
                        shortRun,
                        chosen,
                        spec.commandLine().getOut())
                .run();
    }
}
