package io.polyglot.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The layout rule the formatter cannot keep: no line of Java source, comments and string literals included, is longer
 * than {@value #MAX_WIDTH} characters; Spotless wraps code at that width but leaves Javadoc and strings as written. The
 * prose of the Markdown docs keeps the same width.
 */
class SourceLayoutTest {

    private static final int MAX_WIDTH = 120;

    /** The reactor's root: the tests of this module run in {@code architecture/}. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void noLineOfJavaSourceInAnyModuleIsWiderThanTheFormattersWidth() throws IOException {
        // given
        List<Path> sources = javaSources();

        // when
        List<String> wide = new ArrayList<>();
        for (Path source : sources) {
            List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                int width = line.codePointCount(0, line.length());
                if (width > MAX_WIDTH) {
                    wide.add(ROOT.relativize(source) + ":" + (i + 1) + " is " + width + " characters wide");
                }
            }
        }

        // then
        assertThat(sources)
                .as("the sources of every module are read")
                .anyMatch(path -> path.endsWith("io/polyglot/command/CommandServiceMain.java"))
                .anyMatch(path -> path.endsWith("io/polyglot/architecture/SourceLayoutTest.java"))
                .hasSizeGreaterThan(300);
        assertThat(wide)
                .as("wrap the Javadoc or comment at %d characters, or split the string literal with +", MAX_WIDTH)
                .isEmpty();
    }

    @Test
    void noLineOfProseInTheDocsIsWiderThanTheFormattersWidth() throws IOException {
        // given: tables, code blocks and images keep their lines as they are
        List<Path> docs = sources(".md");

        // when
        List<String> wide = new ArrayList<>();
        for (Path doc : docs) {
            List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
            boolean code = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String text = line.strip();
                if (text.startsWith("```")) {
                    code = !code;
                    continue;
                }
                boolean prose = !code && !text.startsWith("|") && !text.startsWith("![");
                int width = line.codePointCount(0, line.length());
                if (prose && width > MAX_WIDTH) {
                    wide.add(ROOT.relativize(doc) + ":" + (i + 1) + " is " + width + " characters wide");
                }
            }
        }

        // then
        assertThat(docs)
                .as("the docs are read")
                .anyMatch(path -> path.equals(ROOT.resolve("README.md")))
                .anyMatch(path -> path.endsWith("docs/benchmarks.md"));
        assertThat(wide).as("wrap the paragraph at %d characters", MAX_WIDTH).isEmpty();
    }

    private static List<Path> javaSources() throws IOException {
        return sources(".java").stream()
                .filter(path -> ROOT.relativize(path).toString().contains("/src/"))
                .toList();
    }

    private static List<Path> sources(String suffix) throws IOException {
        List<Path> sources = new ArrayList<>();
        Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                return skipped(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (file.toString().endsWith(suffix)) {
                    sources.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        sources.sort(null);
        return sources;
    }

    /** Folders of what a build generates or a run leaves behind, not of sources the project writes. */
    private static boolean skipped(Path dir) {
        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
        return !dir.equals(ROOT) && (name.equals("target") || name.equals("node_modules") || name.startsWith("."));
    }
}
