package io.polyglot.command.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.junit.jupiter.api.Test;

/**
 * The loan-application rules against the real BPI Challenge 2012 log: every case, in the order the log records its
 * events (the order the importer sends them in), must pass. The log is streamed with StAX here rather than through
 * the importer, which is a separate service this module must not depend on.
 */
class Bpi2012LogRulesTest {

    private static final Path LOG = Path.of(System.getProperty("polyglot.root"))
            .resolve("../shared/datasets/bpic2012/bpic2012.xes.gz")
            .normalize();

    private final RuleBook rules = RuleBook.load();

    @Test
    void acceptsEveryEventOfEveryCaseOfTheLog() throws IOException, XMLStreamException {
        // given
        LogWalk walk = new LogWalk();

        // when
        try (InputStream in = new GZIPInputStream(Files.newInputStream(LOG), 1 << 16)) {
            walk.read(in);
        }

        // then
        assertThat(walk.violations).isEmpty();
        assertThat(walk.cases).isEqualTo(13_087);
        assertThat(walk.events).isEqualTo(262_200);
    }

    /** Folds each trace's events through the rules, one trace in memory at a time. */
    private final class LogWalk {

        private final List<String> violations = new ArrayList<>();
        private int cases;
        private int events;
        private String caseId;
        private RuleState state;

        void read(InputStream in) throws XMLStreamException {
            XMLInputFactory factory = XMLInputFactory.newFactory();
            factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
            XMLStreamReader xml = factory.createXMLStreamReader(in);
            int depth = 0;
            String activity = null;
            String lifecycle = null;
            while (xml.hasNext()) {
                int type = xml.next();
                if (type == XMLStreamReader.START_ELEMENT) {
                    depth++;
                    String element = xml.getLocalName();
                    String key = xml.getAttributeValue(null, "key");
                    String value = xml.getAttributeValue(null, "value");
                    if ("trace".equals(element)) {
                        cases++;
                        caseId = null;
                        state = null;
                    } else if (depth == 3 && "concept:name".equals(key)) {
                        caseId = value;
                    } else if (depth == 4 && "concept:name".equals(key)) {
                        activity = value;
                    } else if (depth == 4 && "lifecycle:transition".equals(key)) {
                        lifecycle = value;
                    }
                } else if (type == XMLStreamReader.END_ELEMENT) {
                    depth--;
                    if ("event".equals(xml.getLocalName())) {
                        decide(activity, lifecycle);
                        activity = null;
                        lifecycle = null;
                    }
                }
            }
        }

        private void decide(String activity, String lifecycle) {
            events++;
            Verdict verdict = rules.decide(
                    LoanApplicationRules.AGGREGATE_TYPE, state, List.of(Activities.activity(activity, lifecycle)));
            if (verdict instanceof Verdict.Allowed allowed) {
                state = allowed.next();
            } else if (violations.size() < 20) {
                violations.add(caseId + ": " + activity + " " + verdict);
            }
        }
    }
}
