package io.polyglot.importer.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import io.polyglot.importer.testing.CollectingSink;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class XesReaderTest {

    private static CollectingSink read(String xes) throws Exception {
        CollectingSink sink = new CollectingSink();
        new XesReader(new ByteArrayInputStream(xes.getBytes(StandardCharsets.UTF_8))).read(sink);
        return sink;
    }

    private static final String LOAN_LOG = """
            <?xml version="1.0" encoding="UTF-8"?>
            <log xes.version="1.0" xmlns="http://www.xes-standard.org/">
              <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
              <global scope="event"><string key="concept:name" value="UNKNOWN"/></global>
              <classifier name="Activity" keys="concept:name"/>
              <string key="origin" value="bank"/>
              <trace>
                <date key="REG_DATE" value="2011-10-01T00:38:44.546+02:00"/>
                <string key="concept:name" value="173688"/>
                <string key="AMOUNT_REQ" value="20000"/>
                <event>
                  <string key="org:resource" value="112"/>
                  <string key="lifecycle:transition" value="COMPLETE"/>
                  <string key="concept:name" value="A_SUBMITTED"/>
                  <date key="time:timestamp" value="2011-10-01T00:38:44.546+02:00"/>
                </event>
                <event>
                  <string key="concept:name" value="W_Completeren aanvraag"/>
                  <string key="lifecycle:transition" value="start"/>
                  <date key="time:timestamp" value="2011-10-01T11:36:46.437+02:00"/>
                </event>
              </trace>
              <trace>
                <string key="concept:name" value="173691"/>
                <event>
                  <string key="concept:name" value="A_SUBMITTED"/>
                  <date key="time:timestamp" value="2011-10-01T08:08:58Z"/>
                </event>
              </trace>
            </log>
            """;

    @Test
    void readsEachTraceAsACaseWithItsEventsInOrder() throws Exception {
        // given a namespaced XES log of two cases

        // when
        CollectingSink sink = read(LOAN_LOG);

        // then
        assertThat(sink.events())
                .extracting(CaseEvent::caseId, CaseEvent::position, CaseEvent::activity, CaseEvent::lifecycle)
                .containsExactly(
                        tuple("173688", 1, "A_SUBMITTED", "COMPLETE"),
                        tuple("173688", 2, "W_Completeren aanvraag", "start"),
                        tuple("173691", 1, "A_SUBMITTED", null));
        assertThat(sink.events().get(0).resource()).isEqualTo("112");
        assertThat(sink.events().get(1).resource()).isNull();
        assertThat(sink.events().get(0).occurredAt()).isEqualTo("2011-10-01T00:38:44.546+02:00");
        assertThat(sink.events().get(2).occurredAt()).isEqualTo("2011-10-01T08:08:58Z");
        assertThat(sink.unusable()).isEmpty();
    }

    @Test
    void readsALogWithoutTheXesNamespaceTheSameWay() throws Exception {
        // given the same log without its namespace
        String plain = LOAN_LOG.replace(" xmlns=\"http://www.xes-standard.org/\"", "");

        // when
        CollectingSink withoutNamespace = read(plain);

        // then
        assertThat(withoutNamespace.events()).isEqualTo(read(LOAN_LOG).events());
        assertThat(withoutNamespace.events()).hasSize(3);
    }

    @Test
    void putsTheCaseAttributesIntoTheFirstEventOnly() throws Exception {
        // given a trace with AMOUNT_REQ and REG_DATE

        // when
        CollectingSink sink = read(LOAN_LOG);

        // then
        assertThat(sink.events().get(0).attributes())
                .containsOnly(entry("REG_DATE", "2011-10-01T00:38:44.546+02:00"), entry("AMOUNT_REQ", "20000"));
        assertThat(sink.events().get(1).attributes()).isEmpty();
        assertThat(sink.events().get(2).attributes()).isEmpty();
    }

    @Test
    void letsTheFirstEventsOwnAttributeWinOverTheCasesOfTheSameKey() throws Exception {
        // given a case attribute and an event attribute with the same key
        String xes = """
                <log><trace>
                  <string key="concept:name" value="c1"/>
                  <string key="channel" value="case-level"/>
                  <string key="segment" value="retail"/>
                  <event>
                    <string key="concept:name" value="a"/>
                    <date key="time:timestamp" value="2020-01-01T00:00:00Z"/>
                    <string key="channel" value="event-level"/>
                  </event>
                </trace></log>
                """;

        // when
        CaseEvent first = read(xes).events().get(0);

        // then
        assertThat(first.attributes()).containsOnly(entry("channel", "event-level"), entry("segment", "retail"));
    }

    @Test
    void flattensNestedEventAttributesUnderTheirParentsKey() throws Exception {
        // given an event with a nested attribute, a list and a container
        String xes = """
                <log xes.features="nested-attributes"><trace>
                  <string key="concept:name" value="c1"/>
                  <event>
                    <string key="concept:name" value="a"/>
                    <date key="time:timestamp" value="2020-01-01T00:00:00Z"/>
                    <float key="cost" value="12.5">
                      <string key="currency" value="EUR"/>
                      <int key="parts" value="2"><string key="unit" value="piece"/></int>
                    </float>
                    <list key="tags">
                      <values>
                        <string key="tag" value="urgent"/>
                        <string key="tag" value="vip"/>
                      </values>
                    </list>
                    <container key="address"><string key="city" value="Eindhoven"/></container>
                  </event>
                </trace></log>
                """;

        // when
        CaseEvent event = read(xes).events().get(0);

        // then
        assertThat(event.attributes())
                .containsExactly(
                        entry("cost", "12.5"),
                        entry("cost.currency", "EUR"),
                        entry("cost.parts", "2"),
                        entry("cost.parts.unit", "piece"),
                        entry("tags.tag", "urgent"),
                        entry("tags.tag[2]", "vip"),
                        entry("address.city", "Eindhoven"));
    }

    @Test
    void skipsLogLevelAndGlobalAttributesWithTheirChildren() throws Exception {
        // given log-level attributes with nested children that look like events' attributes
        String xes = """
                <log>
                  <float key="meta_org:resource_events_standard_deviation" value="19.944">
                    <float key="10609" value="2.538"/>
                    <string key="concept:name" value="not-a-case"/>
                  </float>
                  <global scope="trace"><string key="concept:name" value="UNKNOWN"/></global>
                  <trace>
                    <string key="concept:name" value="c1"/>
                    <event>
                      <string key="concept:name" value="a"/>
                      <date key="time:timestamp" value="2020-01-01T00:00:00Z"/>
                    </event>
                  </trace>
                </log>
                """;

        // when
        CollectingSink sink = read(xes);

        // then
        assertThat(sink.entries()).hasSize(1);
        assertThat(sink.events().get(0).caseId()).isEqualTo("c1");
        assertThat(sink.events().get(0).attributes()).isEmpty();
    }

    @Test
    void keepsTheValuesOfEveryAttributeTypeAsWritten() throws Exception {
        // given one attribute of each XES type, lifecycle in an unusual case
        String xes = """
                <log><trace>
                  <string key="concept:name" value="c1"/>
                  <event>
                    <string key="concept:name" value="a"/>
                    <string key="lifecycle:transition" value="Ate_Abort"/>
                    <date key="time:timestamp" value="2020-01-01T00:00:00.000+01:00"/>
                    <int key="count" value="007"/>
                    <float key="ratio" value="1.50E2"/>
                    <boolean key="ok" value="TRUE"/>
                    <id key="ref" value="3f2a"/>
                    <date key="due" value="2020-02-01T00:00:00.000+01:00"/>
                  </event>
                </trace></log>
                """;

        // when
        CaseEvent event = read(xes).events().get(0);

        // then
        assertThat(event.lifecycle()).isEqualTo("Ate_Abort");
        assertThat(event.attributes())
                .containsExactly(
                        entry("count", "007"),
                        entry("ratio", "1.50E2"),
                        entry("ok", "TRUE"),
                        entry("ref", "3f2a"),
                        entry("due", "2020-02-01T00:00:00.000+01:00"));
    }

    @Test
    void reportsAnEventWithoutActivityOrTimeAsUnusableWithItsCaseAndPosition() throws Exception {
        // given a case whose second event lacks an activity and third lacks a time
        String xes = """
                <log><trace>
                  <string key="concept:name" value="c1"/>
                  <event>
                    <string key="concept:name" value="a"/>
                    <date key="time:timestamp" value="2020-01-01T00:00:00Z"/>
                  </event>
                  <event>
                    <date key="time:timestamp" value="2020-01-01T00:01:00Z"/>
                  </event>
                  <event>
                    <string key="concept:name" value="c"/>
                  </event>
                  <event>
                    <string key="concept:name" value="d"/>
                    <date key="time:timestamp" value="yesterday"/>
                  </event>
                </trace></log>
                """;

        // when
        CollectingSink sink = read(xes);

        // then
        assertThat(sink.events()).extracting(CaseEvent::activity).containsExactly("a");
        assertThat(sink.unusable())
                .extracting(UnusableEvent::caseId, UnusableEvent::position, UnusableEvent::problem, UnusableEvent::line)
                .containsExactly(
                        tuple("c1", 2, UnusableEvent.MISSING_ACTIVITY, 7L),
                        tuple("c1", 3, UnusableEvent.MISSING_TIMESTAMP, 10L),
                        tuple("c1", 4, UnusableEvent.INVALID_TIMESTAMP, 13L));
    }

    @Test
    void reportsTheEventsOfATraceWithoutCaseIdAsUnusable() throws Exception {
        // given a trace without concept:name
        String xes = """
                <log><trace>
                  <string key="note" value="no id"/>
                  <event>
                    <string key="concept:name" value="a"/>
                    <date key="time:timestamp" value="2020-01-01T00:00:00Z"/>
                  </event>
                </trace></log>
                """;

        // when
        CollectingSink sink = read(xes);

        // then
        assertThat(sink.unusable()).singleElement().satisfies(unusable -> {
            assertThat(unusable.caseId()).isNull();
            assertThat(unusable.problem()).isEqualTo(UnusableEvent.MISSING_CASE_ID);
        });
    }

    @Test
    void keepsCountingPositionsWhenACaseSpansTwoTraces() throws Exception {
        // given the same case id in two traces
        String event = "<event><string key=\"concept:name\" value=\"a\"/>"
                + "<date key=\"time:timestamp\" value=\"2020-01-01T00:00:00Z\"/></event>";
        String trace = "<trace><string key=\"concept:name\" value=\"c1\"/>" + event + event + "</trace>";

        // when
        CollectingSink sink = read("<log>" + trace + trace + "</log>");

        // then
        assertThat(sink.events()).extracting(CaseEvent::position).containsExactly(1, 2, 3, 4);
    }

    @Test
    void reportsMalformedXmlWithLineAndColumnAfterDeliveringTheEventsBeforeIt() {
        // given a log that breaks off in the middle of its second event
        String xes = """
                <log><trace>
                  <string key="concept:name" value="c1"/>
                  <event>
                    <string key="concept:name" value="a"/>
                    <date key="time:timestamp" value="2020-01-01T00:00:00Z"/>
                  </event>
                  <event>
                    <string key="concept:name" value="b"
                  </event>
                </trace></log>
                """;
        CollectingSink sink = new CollectingSink();

        // when / then
        assertThatThrownBy(
                        () -> new XesReader(new ByteArrayInputStream(xes.getBytes(StandardCharsets.UTF_8))).read(sink))
                .isInstanceOfSatisfying(MalformedLogException.class, e -> {
                    assertThat(e.line()).isEqualTo(9);
                    assertThat(e.column()).isPositive();
                    assertThat(e.describe()).startsWith("line 9, column 3: ").contains("\"string\"");
                });
        assertThat(sink.events()).extracting(CaseEvent::activity).containsExactly("a");
    }

    @Test
    void refusesADocumentThatIsNotAnEventLog() {
        // given XML whose root is not <log>
        String xml = "<?xml version=\"1.0\"?>\n<html><body/></html>";

        // when / then
        assertThatThrownBy(() -> read(xml))
                .isInstanceOf(MalformedLogException.class)
                .hasMessageContaining("<html>");
    }

    @Test
    void reportsTheEventsOfATraceWithAnEmptyOrBlankCaseIdAsUnusableLikeAMissingOne() throws Exception {
        // given a trace whose concept:name is empty and one whose concept:name is blanks only
        String event = "<event><string key=\"concept:name\" value=\"a\"/>"
                + "<date key=\"time:timestamp\" value=\"2020-01-01T00:00:00Z\"/></event>";
        String xes = "<log><trace><string key=\"concept:name\" value=\"\"/>" + event + "</trace>"
                + "<trace><string key=\"concept:name\" value=\"  \"/>" + event + "</trace></log>";

        // when
        CollectingSink sink = read(xes);

        // then
        assertThat(sink.events()).isEmpty();
        assertThat(sink.unusable())
                .extracting(UnusableEvent::caseId, UnusableEvent::problem)
                .containsExactly(
                        tuple(null, UnusableEvent.MISSING_CASE_ID), tuple(null, UnusableEvent.MISSING_CASE_ID));
        assertThat(sink.unusable().get(1).detail()).contains("empty or blank");
    }
}
