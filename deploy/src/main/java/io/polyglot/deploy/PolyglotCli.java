package io.polyglot.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.polyglot.stack.ServerStartException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
            PolyglotCli.Test.class
        })
public final class PolyglotCli implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

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
        System.exit(commandLine(home, repoRoot).execute(args));
    }

    /** The command line with its error handling; separate from {@link #main} so tests can run it without exiting. */
    static CommandLine commandLine(Path home, Path repoRoot) {
        CommandLine commandLine = new CommandLine(new PolyglotCli(home, repoRoot));
        commandLine.getSubcommands().get("import").setUnmatchedOptionsArePositionalParams(true);
        commandLine.setExecutionExceptionHandler((e, line, parseResult) -> {
            if (e instanceof ServerStartException || e instanceof UncheckedIOException) {
                line.getErr().println("polyglot: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return commandLine;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    PolyglotStack stack(PrintWriter out) {
        return PolyglotStack.at(home, repoRoot).reportingTo(line -> {
            out.println(line);
            out.flush();
        });
    }

    @Command(name = "up", description = "Starts what does not run (servers, topics, bucket, services) and waits.")
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

    @Command(name = "down", description = "Stops the services, then the servers, by pid.")
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

    @Command(name = "env", description = "Prints KEY='value' lines for eval: where the stack is, with credentials.")
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
            Map<String, String> env = cli.stack(spec.commandLine().getOut()).env();
            Path jar = cli.repoRoot.resolve("importer").resolve("target").resolve("importer.jar");
            if (!Files.isRegularFile(jar)) {
                throw new ServerStartException(jar + " is missing; build the project with `mvn -q -DskipTests"
                        + " package` (./polyglot up does when sources changed)");
            }
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
            command.addAll(arguments);
            ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
            builder.environment().put("COMMAND_URL", env.get("COMMAND_URL"));
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
        out.printf("%-19s %-8s %-6s %s%n", "NAME", "PID", "PORT", "HEALTH");
        for (ComponentStatus component : status) {
            out.printf(
                    "%-19s %-8s %-6d %s%n",
                    component.name(),
                    component.pid() == null ? "-" : component.pid(),
                    component.port(),
                    component.health().label());
        }
        out.flush();
    }
}
