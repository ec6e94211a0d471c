package io.polyglot.bench;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./polyglot bench [--smoke] [STAGE...]}: runs the stages (all by default) on a local stack of its own and
 * writes {@code report.md} and {@code report.json}. Exit status 0 when every stage ran, whether or not it met its
 * target; 1 when one could not run; 2 for a wrong command line.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measures each stage of the pipeline side by side with the raw engine underneath.")
public final class BenchMain implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--smoke", description = "measure a few seconds per stage (CI: shapes, not speeds)")
    boolean smoke;

    @Option(
            names = "--rounds",
            description =
                    "pairs per stage, ours then raw (default: 2; 1 with --smoke, which keeps CI within 2 minutes)")
    Integer rounds;

    @Option(
            names = "--budget",
            paramLabel = "MINUTES",
            description = "how long a full run may take in all; its rounds are planned to fit and measuring stops when"
                    + " it runs out (default: 30)")
    Integer budgetMinutes;

    @Option(
            names = "--profile",
            description = "record a JFR profile of every worker the bench starts itself (logs/<worker>.jfr in --out)")
    boolean profile;

    @Option(names = "--out", description = "folder of the report and the stack's home (default: <root>/target/bench)")
    Path out;

    @Option(names = "--root", description = "the repository (default: property polyglot.root, else $POLYGLOT_ROOT)")
    Path root;

    @Parameters(
            paramLabel = "STAGE",
            completionCandidates = StageIds.class,
            description = "stage ids to run, in the order given: ${COMPLETION-CANDIDATES} (default: every stage)")
    List<String> stageIds = new ArrayList<>();

    /** The ids of every stage, for the usage text. */
    static final class StageIds implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Stages.all().stream().map(BenchStage::id).iterator();
        }
    }

    public static void main(String[] args) {
        // The JDK's HTTP client keeps an idle connection 20 minutes by default, the command service's Jetty 30 s:
        // a request on a connection the server is closing at that moment fails with "header parser received no
        // bytes" (POST is not retried). Dropping idle connections after 10 s keeps the client's side the shorter.
        if (System.getProperty("jdk.httpclient.keepalive.timeout") == null) {
            System.setProperty("jdk.httpclient.keepalive.timeout", "10");
        }
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "bench-logback.xml");
        }
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public Integer call() {
        List<BenchStage> stages = new ArrayList<>();
        for (String id : stageIds) {
            var stage = Stages.byId(id);
            if (stage.isEmpty()) {
                throw wrongCommandLine("unknown stage '" + id + "'; the stages are "
                        + Stages.all().stream().map(BenchStage::id).toList());
            }
            stages.add(stage.get());
        }
        if (stages.isEmpty()) {
            stages.addAll(Stages.all());
        }
        int pairs = rounds != null ? rounds : smoke ? 1 : 2;
        if (pairs < 1) {
            throw wrongCommandLine("--rounds must be at least 1");
        }
        Path repoRoot = (root != null ? root : defaultRoot()).toAbsolutePath().normalize();
        Path folder = out != null ? out : repoRoot.resolve("target").resolve("bench");
        if (budgetMinutes != null && (budgetMinutes < 1 || smoke)) {
            throw wrongCommandLine("--budget takes a number of minutes of at least 1, and applies to a full run only");
        }
        Pace pace = smoke
                ? Pace.smoke(pairs)
                : Pace.full(pairs, budgetMinutes != null ? Duration.ofMinutes(budgetMinutes) : Pace.FULL_BUDGET);
        BenchReport report = new BenchRun(
                        repoRoot, folder.toAbsolutePath(), smoke ? "smoke" : "full", pace, profile, Clock.systemUTC())
                .run(stages);
        System.out.print(report.markdown());
        return report.everyStageRan() ? 0 : 1;
    }

    /** picocli prints the message and the usage on stderr and exits 2, as for an unknown option. */
    private CommandLine.ParameterException wrongCommandLine(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static Path defaultRoot() {
        String property = System.getProperty("polyglot.root");
        if (property != null) {
            return Path.of(property);
        }
        String env = System.getenv("POLYGLOT_ROOT");
        return Path.of(env != null ? env : ".");
    }
}
