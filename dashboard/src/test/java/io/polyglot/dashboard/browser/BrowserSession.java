package io.polyglot.dashboard.browser;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * One pipeline with the helpdesk log imported, one headless Chromium and one sign-in, shared by every browser test
 * class of a run: the stack takes a minute or two to start and import, so the classes do not each start their own.
 * A class asks for it with {@code @ExtendWith(BrowserSession.Shared.class)} and reads {@link #current()}; JUnit
 * closes it, browser first, once the last test of the run has ended.
 */
final class BrowserSession implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path TARGET =
            Path.of(System.getProperty("polyglot.root", "..")).resolve("dashboard/target");

    private static volatile BrowserSession current;

    private final Path dataDir;
    private final HelpdeskStack stack;
    private final Browser browser;

    private BrowserSession(Path dataDir, HelpdeskStack stack, Browser browser) {
        this.dataDir = dataDir;
        this.stack = stack;
        this.browser = browser;
    }

    /** The session the {@link Shared} extension opened for this run. */
    static BrowserSession current() {
        if (current == null) {
            throw new IllegalStateException("annotate the test class with @ExtendWith(BrowserSession.Shared.class)");
        }
        return current;
    }

    HelpdeskStack stack() {
        return stack;
    }

    Browser browser() {
        return browser;
    }

    ChromeDriver driver() {
        return browser.driver();
    }

    String dashboardUrl() {
        return stack.dashboardUrl();
    }

    private static BrowserSession open() throws Exception {
        // PostgreSQL runs as an unprivileged user, who must reach its data folder: the system temporary folder.
        Path dataDir = Files.createTempDirectory("polyglot-browser-");
        HelpdeskStack stack = HelpdeskStack.startWithTheHelpdeskLog(dataDir);
        Browser browser;
        try {
            browser = Browser.start(
                    dataDir.resolve("chromium"), TARGET.resolve("browser-logs"), TARGET.resolve("screenshots"));
        } catch (IOException | RuntimeException e) {
            stack.close();
            throw e;
        }
        BrowserSession session = new BrowserSession(dataDir, stack, browser);
        session.signIn();
        return session;
    }

    private void signIn() {
        ChromeDriver driver = driver();
        driver.get(dashboardUrl() + "/grid?view=helpdesk_tickets");
        await().atMost(WAIT).until(() -> driver.getCurrentUrl().contains("/signin"));
        driver.findElement(By.id("token")).sendKeys(HelpdeskStack.TOKEN);
        driver.findElement(By.id("signin-button")).click();
        await().atMost(WAIT).until(() -> driver.getCurrentUrl().contains("/grid?view=helpdesk_tickets"));
    }

    @Override
    public void close() throws IOException {
        try {
            browser.close();
        } finally {
            current = null;
            stack.close();
            deleteRecursively(dataDir);
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Opens the session before the first class that asks for it and leaves it to JUnit to close after the run. */
    static final class Shared implements BeforeAllCallback {

        @Override
        public void beforeAll(ExtensionContext context) {
            current = context.getRoot()
                    .getStore(ExtensionContext.Namespace.create(BrowserSession.class))
                    .getOrComputeIfAbsent(BrowserSession.class, key -> openOrFail(), BrowserSession.class);
        }

        private static BrowserSession openOrFail() {
            try {
                return open();
            } catch (Exception e) {
                throw new IllegalStateException("the browser tests' pipeline did not start", e);
            }
        }
    }
}
