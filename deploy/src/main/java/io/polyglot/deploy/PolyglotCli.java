package io.polyglot.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ArchiveStoreException;
import io.polyglot.archive.store.SegmentChecksum;
import io.polyglot.archive.store.SegmentContents;
import io.polyglot.archive.store.SegmentFormat;
import io.polyglot.archive.store.SegmentKey;
import io.polyglot.archive.store.SegmentMetadata;
import io.polyglot.archive.store.VerificationReport;
import io.polyglot.chaos.ChaosCommand;
import io.polyglot.runtime.Durations;
import io.polyglot.schemas.Names;
import io.polyglot.schemas.ReadModelViews;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.UndecodableRecordException;
import io.polyglot.stack.ServerStartException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ./polyglot}: runs the pipeline on this machine. The repository root comes from {@code POLYGLOT_ROOT} (the
 * script sets it), the data folder from {@code POLYGLOT_HOME}, else {@code .polyglot/} in the repository.
 *
 * <p>A wrong command line (a missing or unknown command or subcommand, an unknown option, a bad value) prints what is
 * wrong and the usage of the command it is about to stderr and exits 2; {@code -h} prints the usage to stdout and
 * exits 0. The command groups ({@code polyglot} itself, {@code archive}, {@code projection}) therefore run nothing
 * of their own: without a subcommand, picocli reports the missing one like any other wrong command line.
 */
@Command(
        name = "polyglot",
        mixinStandardHelpOptions = true,
        versionProvider = PolyglotCli.Version.class,
        description = "Runs the Polyglot Persistence pipeline on 127.0.0.1.",
        subcommands = {
            PolyglotCli.Up.class,
            PolyglotCli.Down.class,
            PolyglotCli.Status.class,
            PolyglotCli.Env.class,
            PolyglotCli.Import.class,
            PolyglotCli.Archive.class,
            PolyglotCli.Projection.class,
            PolyglotCli.Test.class,
            ChaosCommand.class
        })
public final class PolyglotCli {
    /** The CLI's own logging setup: libraries speak at WARN and above only, on stderr. */
    static final String LOGBACK_CONFIGURATION = "polyglot-cli-logback.xml";

    /** How long up and down wait for another command that starts or stops the stack's processes. */
    static final String LOCK_WAIT_SETTING = "POLYGLOT_STACK_LOCK_WAIT";

    private final Path home;
    private final Path repoRoot;

    private PolyglotCli(Path home, Path repoRoot) {
        this.home = home;
        this.repoRoot = repoRoot;
    }

    public static void main(String[] args) {
        Path repoRoot = Optional.ofNullable(System.getenv("POLYGLOT_ROOT"))
                .filter(root -> !root.isBlank())
                .map(Path::of)
                .orElse(Path.of("").toAbsolutePath());
        Path home = Optional.ofNullable(System.getenv("POLYGLOT_HOME"))
                .filter(folder -> !folder.isBlank())
                .map(Path::of)
                .orElse(repoRoot.resolve(".polyglot"));
        // Before the first logger exists: a jar run without the script's -D option would log INFO on stdout.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGBACK_CONFIGURATION);
        }
        System.exit(commandLine(home, repoRoot).execute(args));
    }

    /**
     * The command line of the stack in {@code home} running the jars of {@code repoRoot}, with its error handling;
     * separate from {@link #main} so tests can run it without exiting.
     */
    public static CommandLine commandLine(Path home, Path repoRoot) {
        CommandLine commandLine = new CommandLine(new PolyglotCli(home, repoRoot));
        commandLine.getSubcommands().get("import").setUnmatchedOptionsArePositionalParams(true);
        // picocli's own handler leaves the usage out when it can suggest a near name; the usage is always printed.
        commandLine.setParameterExceptionHandler((e, args) -> {
            CommandLine line = e.getCommandLine();
            PrintWriter err = line.getErr();
            if (e instanceof CommandLine.UnmatchedArgumentException unmatched
                    && List.of(args).contains("--")) {
                // After --, picocli takes a word for an argument, yet names one that starts with - an unknown option
                // and suggests the very option the user wrote.
                err.println("Unmatched argument after --: '" + String.join("', '", unmatched.getUnmatched())
                        + "' (a word after -- is an argument, never an option)");
            } else {
                err.println(e.getMessage());
                CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            }
            line.usage(err);
            return line.getCommandSpec().exitCodeOnInvalidInput();
        });
        commandLine.setExecutionStrategy(PolyglotCli::executeAlone);
        withTheVersionOnEveryCommand(commandLine);
        commandLine.setExecutionExceptionHandler((e, line, parseResult) -> {
            if (e instanceof ServerStartException || e instanceof UncheckedIOException) {
                line.getErr().println("polyglot: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return commandLine;
    }

    /**
     * Runs the command of {@code parseResult}, unless it asks for help or the version along with anything else: picocli
     * then prints the help or version and ignores the rest, where a word a command does not take is a wrong command
     * line (exit 2, nothing run).
     */
    private static int executeAlone(CommandLine.ParseResult parseResult) {
        CommandLine.ParseResult last = parseResult;
        int commands = 0;
        while (last.hasSubcommand()) {
            last = last.subcommand();
            commands++;
        }
        boolean asksForHelp = false;
        for (CommandLine.ParseResult level = parseResult; level != null; level = level.subcommand()) {
            asksForHelp |= level.isUsageHelpRequested() || level.isVersionHelpRequested();
        }
        List<String> words = parseResult.originalArgs();
        if (asksForHelp && words.size() > commands + 1) {
            CommandLine line = last.commandSpec().commandLine();
            List<String> rest = words.subList(commands, words.size()).stream()
                    .filter(word -> !List.of("-h", "--help", "-V", "--version").contains(word))
                    .toList();
            line.getErr()
                    .println("Unmatched argument: -h, --help and -V, --version go alone, not with '"
                            + String.join(" ", rest) + "'");
            line.usage(line.getErr());
            return line.getCommandSpec().exitCodeOnInvalidInput();
        }
        return new CommandLine.RunLast().execute(parseResult);
    }

    /** Every command's -V prints the version, where picocli gives a subcommand none of its parent's. */
    private static void withTheVersionOnEveryCommand(CommandLine line) {
        line.getCommandSpec().versionProvider(new Version());
        line.getSubcommands().values().forEach(PolyglotCli::withTheVersionOnEveryCommand);
    }

    /** The repository whose built jars the stack runs. */
    public Path repoRoot() {
        return repoRoot;
    }

    /** The packaged jar of {@code module}, which must have been built. */
    Path builtJar(String module) {
        Path jar = repoRoot.resolve(module).resolve("target").resolve(module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new ServerStartException(jar + " is missing; build the project with `mvn -q -DskipTests"
                    + " package` (./polyglot up does when sources changed)");
        }
        return jar;
    }

    PolyglotStack stack(PrintWriter out) {
        return PolyglotStack.at(home, repoRoot)
                .withJavaOptions(JavaOptions.fromEnvironment(System.getenv()))
                .withLockWait(lockWait(System.getenv()))
                .reportingTo(line -> {
                    out.println(line);
                    out.flush();
                });
    }

    /** {@code POLYGLOT_STACK_LOCK_WAIT}, else {@link PolyglotStack#LOCK_WAIT}. */
    static Duration lockWait(Map<String, String> env) {
        String text = env.get(LOCK_WAIT_SETTING);
        if (text == null || text.isBlank()) {
            return PolyglotStack.LOCK_WAIT;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ServerStartException(LOCK_WAIT_SETTING + "='" + text + "' is invalid: " + e.getMessage());
        }
    }

    @Command(
            name = "up",
            mixinStandardHelpOptions = true,
            description = "Starts what does not run (servers, topics, bucket, services) and waits.")
    static final class Up implements Callable<Integer> {
        /** Each instance is a JVM of up to 512 MiB heap; more than this does not fit next to the servers. */
        static final int MAX_INSTANCES = 8;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @ParentCommand
        PolyglotCli cli;

        @Option(
                names = "--scale",
                paramLabel = "SERVICE=N",
                description = "Runs N instances of SERVICE (only command-service scales; 1 to " + MAX_INSTANCES
                        + "); kept for later starts without --scale.")
        Map<String, Integer> scale = new LinkedHashMap<>();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            OptionalInt commandInstances = OptionalInt.empty();
            for (Map.Entry<String, Integer> entry : scale.entrySet()) {
                if (!entry.getKey().equals(ServiceDefinition.COMMAND_SERVICE)) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "--scale: only " + ServiceDefinition.COMMAND_SERVICE + " scales, not '" + entry.getKey()
                                    + "'");
                }
                if (entry.getValue() < 1 || entry.getValue() > MAX_INSTANCES) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "--scale: " + entry.getKey() + " runs 1 to " + MAX_INSTANCES + " instances, not "
                                    + entry.getValue());
                }
                commandInstances = OptionalInt.of(entry.getValue());
            }
            List<ComponentStatus> status = cli.stack(out).up(commandInstances);
            printTable(out, status);
            return 0;
        }
    }

    @Command(
            name = "down",
            mixinStandardHelpOptions = true,
            description = "Stops the services, then the servers, by pid.")
    static final class Down implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @ParentCommand
        PolyglotCli cli;

        @Option(names = "--wipe", description = "Also remove the data folder with every topic, row and object.")
        boolean wipe;

        @Override
        public Integer call() {
            cli.stack(spec.commandLine().getOut()).down(wipe);
            return 0;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Lists each process with its pid, port and health (up, down, unhealthy); exits 1 unless all"
                    + " are up.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @ParentCommand
        PolyglotCli cli;

        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            List<ComponentStatus> status = cli.stack(out).status();
            if (json) {
                out.println(new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(Map.of("components", status)));
            } else if (status.isEmpty()) {
                out.println("The stack in " + cli.home + " was never started; run ./polyglot up");
            } else {
                printTable(out, status);
            }
            out.flush();
            boolean allUp = !status.isEmpty()
                    && status.stream().allMatch(component -> component.health() == ComponentStatus.Health.UP);
            return allUp ? 0 : 1;
        }
    }

    @Command(
            name = "env",
            mixinStandardHelpOptions = true,
            description = "Prints KEY='value' lines for eval: where the stack is, with credentials.")
    static final class Env implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @ParentCommand
        PolyglotCli cli;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.print(ShellWords.assignments(cli.stack(out).env()));
            out.flush();
            return 0;
        }
    }

    @Command(name = "import", description = "Runs the importer against the running stack; arguments pass through.")
    static final class Import implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @ParentCommand
        PolyglotCli cli;

        @Parameters(arity = "0..*", paramLabel = "ARGS", description = "Arguments of the importer.")
        List<String> arguments = new ArrayList<>();

        @Override
        public Integer call() throws IOException, InterruptedException {
            // The importer rides out a restart of the command service for minutes (--retry-for); a stack that is not
            // running at all is said at once, as the other commands that use the stack say it.
            boolean help = arguments.stream().anyMatch(Import::asksForHelp);
            Map<String, String> env;
            try {
                env = help
                        ? Map.of()
                        : cli.stack(spec.commandLine().getOut()).envOfRunning(PolyglotStack.Server.COMMAND_SERVICE);
            } catch (ServerStartException | StackNotRunningException e) {
                spec.commandLine().getErr().println("polyglot: import could not run: " + e.getMessage());
                return Archive.COULD_NOT_RUN;
            }
            Path jar = cli.builtJar("importer");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
            command.addAll(arguments);
            ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
            if (!help) {
                builder.environment().put("COMMAND_URL", env.get("COMMAND_URL"));
                // In the importer's environment, never on its command line, where ps would show it.
                builder.environment().put("POLYGLOT_TOKEN", env.get("POLYGLOT_TOKEN"));
            }
            return builder.start().waitFor();
        }

        private static boolean asksForHelp(String argument) {
            return List.of("-h", "--help", "-V", "--version").contains(argument);
        }
    }

    @Command(
            name = "archive",
            mixinStandardHelpOptions = true,
            description = "Checks and reads the archive of the running stack.",
            subcommands = {PolyglotCli.ArchiveList.class, PolyglotCli.ArchiveVerify.class, PolyglotCli.ArchiveCat.class
            })
    static final class Archive {
        /** Exit code when the archive was checked and problems were found. */
        static final int PROBLEMS_FOUND = 1;

        /** Exit code when the command could not run: the stack is down or storage or Kafka unreachable. */
        static final int COULD_NOT_RUN = 2;

        /** How many problems the summary of {@code verify} prints; {@code --json} and the stored result list all. */
        static final int PROBLEMS_PRINTED = 50;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @ParentCommand
        PolyglotCli cli;

        /**
         * The stack's client settings once {@code needed} answer.
         *
         * @throws StackNotRunningException when one of them does not
         * @throws ServerStartException when the stack was never started
         */
        Map<String, String> env(PolyglotStack.Server... needed) {
            return cli.stack(out()).envOfRunning(needed);
        }

        /** Where the archive commands print; set once on the whole command line, so the same for each of them. */
        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "Lists the keys of the stored segments in key order (type, partition, first offset): the"
                    + " keys that archive cat takes. Exits 2 when the archive cannot be read.")
    static final class ArchiveList implements Callable<Integer> {
        @ParentCommand
        Archive archive;

        @Parameters(paramLabel = "TYPE", arity = "0..1", description = "Only the segments of this aggregate type.")
        String aggregateType;

        @Override
        public Integer call() {
            PrintWriter err = archive.err();
            if (aggregateType != null
                    && Names.aggregateTypeProblem(aggregateType).isPresent()) {
                err.println("polyglot: archive ls: '" + aggregateType + "' is not an aggregate type: "
                        + Names.aggregateTypeProblem(aggregateType).get());
                return Archive.COULD_NOT_RUN;
            }
            String prefix =
                    aggregateType == null ? SegmentKey.EVENTS_PREFIX : SegmentKey.EVENTS_PREFIX + aggregateType + "/";
            try (ArchiveStore store = ArchiveVerification.store(archive.env(PolyglotStack.Server.S3))) {
                PrintWriter out = archive.out();
                for (String key : store.list(prefix)) {
                    if (SegmentKey.parse(key)
                            .filter(parsed -> parsed.value().equals(key))
                            .isPresent()) {
                        out.println(key);
                    }
                }
                out.flush();
                return 0;
            } catch (ServerStartException | StackNotRunningException | ArchiveStoreException e) {
                err.println("polyglot: archive ls could not run: " + e.getMessage());
                return Archive.COULD_NOT_RUN;
            }
        }
    }

    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description = "Re-hashes every segment, checks the manifests and that every offset a read-committed"
                    + " consumer of events.all returns is archived exactly once; stores the result under"
                    + " verifications/. Exits 0 when sound, 1 when problems were found, 2 when it could not run.")
    static final class ArchiveVerify implements Callable<Integer> {
        @ParentCommand
        Archive archive;

        @Option(names = "--json", description = "Print the whole result as JSON instead of a summary.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = archive.out();
            ArchiveVerification.Outcome outcome;
            try {
                outcome = ArchiveVerification.run(archive.env(PolyglotStack.Server.S3, PolyglotStack.Server.KAFKA));
            } catch (ServerStartException | StackNotRunningException | ArchiveVerification.CannotRunException e) {
                archive.err().println("polyglot: archive verify could not run: " + e.getMessage());
                return Archive.COULD_NOT_RUN;
            }
            if (json) {
                ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                ObjectNode result =
                        (ObjectNode) mapper.readTree(outcome.report().toJson());
                result.put("storedAs", outcome.storedAs());
                out.println(mapper.writeValueAsString(result));
            } else {
                printSummary(out, outcome);
            }
            out.flush();
            return outcome.report().sound() ? 0 : Archive.PROBLEMS_FOUND;
        }

        private static void printSummary(PrintWriter out, ArchiveVerification.Outcome outcome) {
            VerificationReport report = outcome.report();
            out.printf("%-24s %10s %12s %14s%n", "AGGREGATE TYPE", "SEGMENTS", "EVENTS", "BYTES");
            report.byAggregateType()
                    .forEach((type, counts) -> out.printf(
                            "%-24s %10d %12d %14d%n", type, counts.segments(), counts.events(), counts.bytes()));
            out.printf("%-24s %10d %12d %14d%n", "total", report.segments(), report.events(), report.bytes());
            out.printf(
                    "%d manifest parts; %d segments after the last part of their chain's manifest%n",
                    report.manifestParts(), report.segmentsNotInManifests());
            out.printf(
                    "%d events of %s checked against the archive%n",
                    report.committedEventsChecked(), Topics.EVENTS_ALL);
            out.printf(
                    "%d dead letters of the archiver in %s: %d pending, %d retried (%d late segments), %d skipped%n",
                    report.deadLetters().total(),
                    Topics.EVENTS_DLQ,
                    report.deadLetters().pending(),
                    report.deadLetters().retried(),
                    report.lateSegments(),
                    report.deadLetters().skipped());
            out.println("Result stored as " + outcome.storedAs());
            if (report.sound()) {
                out.println("Sound: every committed event is archived exactly once, every segment matches its"
                        + " checksum.");
                return;
            }
            out.println(report.problems().size() + " problems:");
            report.problems().stream().limit(Archive.PROBLEMS_PRINTED).forEach(problem -> out.println("  " + problem));
            if (report.problems().size() > Archive.PROBLEMS_PRINTED) {
                out.println("  ... and " + (report.problems().size() - Archive.PROBLEMS_PRINTED)
                        + " more; --json and the stored result list them all");
            }
        }
    }

    @Command(
            name = "cat",
            mixinStandardHelpOptions = true,
            description = "Prints the events of the segment at KEY as JSON lines, payload decoded. Exits 1 when the"
                    + " segment does not match its recorded SHA-256, 2 when KEY is not a segment key or the archive"
                    + " cannot be read.")
    static final class ArchiveCat implements Callable<Integer> {
        @ParentCommand
        Archive archive;

        @Parameters(
                paramLabel = "KEY",
                description = "A segment key: events/{aggregateType}/p{partition:03}/" + "{firstOffset:020}.avro")
        String key;

        @Override
        public Integer call() throws IOException {
            PrintWriter err = archive.err();
            Optional<SegmentKey> segment =
                    SegmentKey.parse(key).filter(parsed -> parsed.value().equals(key));
            if (segment.isEmpty()) {
                err.println("polyglot: archive cat: '" + key + "' is not a segment key; a segment key is"
                        + " events/{aggregateType}/p{partition:03}/{firstOffset:020}.avro, relative, inside events/");
                return Archive.COULD_NOT_RUN;
            }
            Map<String, String> env;
            try {
                env = archive.env(PolyglotStack.Server.S3);
            } catch (ServerStartException | StackNotRunningException e) {
                err.println("polyglot: archive cat could not run: " + e.getMessage());
                return Archive.COULD_NOT_RUN;
            }
            Path file = Files.createTempFile("segment-", ".avro");
            try (ArchiveStore store = ArchiveVerification.store(env)) {
                Optional<SegmentMetadata> meta = store.head(segment.get().value());
                if (meta.isEmpty()) {
                    err.println("polyglot: archive cat: no segment is stored at " + key);
                    return Archive.COULD_NOT_RUN;
                }
                store.get(segment.get().value(), file);
                SegmentContents contents;
                try (InputStream in = Files.newInputStream(file)) {
                    contents = SegmentFormat.read(in);
                }
                PrintWriter out = archive.out();
                new SegmentLines().of(contents).forEach(out::println);
                out.flush();
                String actual = SegmentChecksum.sha256Hex(file);
                if (!actual.equals(meta.get().sha256())) {
                    err.println("polyglot: archive cat: " + key + " has SHA-256 " + actual
                            + " but its metadata records " + meta.get().sha256() + "; run ./polyglot archive verify");
                    return Archive.PROBLEMS_FOUND;
                }
                return 0;
            } catch (ArchiveStoreException | UndecodableRecordException e) {
                err.println("polyglot: archive cat could not read " + key + ": " + e.getMessage());
                return Archive.COULD_NOT_RUN;
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    @Command(
            name = "projection",
            mixinStandardHelpOptions = true,
            description = "Works on the read models of the running stack.",
            subcommands = {PolyglotCli.ProjectionRebuild.class})
    static final class Projection {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @ParentCommand
        PolyglotCli cli;
    }

    @Command(
            name = "rebuild",
            mixinStandardHelpOptions = true,
            description = "Rebuilds the tables behind the named views (all by default) from the start of events.all"
                    + " into new tables while the old ones keep serving, then swaps them in one transaction at the"
                    + " live worker's offsets. Runs in its own process from the projection worker's jar; progress on"
                    + " stderr. Exits 0 when swapped, 1 when it failed (the live tables stay as they were), 2 when it"
                    + " could not run (invalid settings, the stack never started or not running, Kafka or the database"
                    + " out of reach) or for a view it does not know (nothing run), 3 when refused: another rebuild"
                    + " runs or the log no longer starts at offset 0, 4 when it gave up because readers held the views"
                    + " for longer than REBUILD_SWAP_MAX_WAIT (the old views serve on).")
    static final class ProjectionRebuild implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        /** The rebuild's entry point in the projection worker's jar. */
        static final String MAIN_CLASS = "io.polyglot.projection.rebuild.RebuildMain";

        /** The rebuild's own code for a rebuild that could not start: bad settings, a server out of reach. */
        static final int COULD_NOT_RUN = 2;

        @ParentCommand
        Projection projection;

        @Parameters(paramLabel = "VIEW", arity = "0..*", description = "Views to rebuild, e.g. loan_applications.")
        List<String> views = new ArrayList<>();

        @Override
        public Integer call() throws IOException, InterruptedException {
            List<String> unknown = views.stream()
                    .filter(view -> !ReadModelViews.REBUILDABLE.contains(view))
                    .toList();
            if (!unknown.isEmpty()) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "no view " + String.join(", ", unknown) + " can be rebuilt; the views are "
                                + String.join(", ", ReadModelViews.REBUILDABLE));
            }
            PolyglotCli cli = projection.cli;
            PrintWriter err = projection.spec.commandLine().getErr();
            Map<String, String> env;
            try {
                env = cli.stack(projection.spec.commandLine().getOut())
                        .envOfRunning(PolyglotStack.Server.POSTGRES, PolyglotStack.Server.KAFKA);
            } catch (ServerStartException | StackNotRunningException e) {
                err.println("polyglot: projection rebuild could not run: " + e.getMessage());
                return COULD_NOT_RUN;
            }
            Path jar = cli.builtJar("projection-worker");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    jar.toString(),
                    MAIN_CLASS));
            command.addAll(views);
            ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
            builder.environment().put("KAFKA_BOOTSTRAP_SERVERS", env.get("KAFKA_BOOTSTRAP_SERVERS"));
            builder.environment().put("DATABASE_URL", env.get("DATABASE_URL"));
            return builder.start().waitFor();
        }
    }

    @Command(
            name = "test",
            description = "Installs what the tests need (PostgreSQL), then runs every test with mvn -B verify; the"
                    + " ./polyglot script runs it.")
    static final class Test implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("run the tests with ./polyglot test: it installs what they need first");
            return 2;
        }
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = PolyglotCli.class.getPackage().getImplementationVersion();
            return new String[] {"polyglot " + (version == null ? "(unpackaged build)" : version)};
        }
    }

    private static void printTable(PrintWriter out, List<ComponentStatus> status) {
        out.printf("%-19s %-8s %-6s %-9s %s%n", "NAME", "PID", "PORT", "HEALTH", "PROGRESS");
        for (ComponentStatus component : status) {
            out.println(String.format(
                            "%-19s %-8s %-6d %-9s %s",
                            component.name(),
                            component.pid() == null ? "-" : component.pid(),
                            component.port(),
                            component.health().label(),
                            component.projection() == null
                                    ? ""
                                    : component.projection().summary())
                    .stripTrailing());
        }
        out.flush();
    }
}
