package io.polyglot.projection.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The CLI refuses a view before a rebuild starts by the list in module schemas: it must name what a rebuild knows. */
class RebuildableViewsTest {

    @Test
    void theViewsTheCommandLineAcceptsAreExactlyTheViewsARebuildKnows() {
        assertThat(io.polyglot.schemas.ReadModelViews.REBUILDABLE)
                .containsExactlyElementsOf(List.copyOf(ReadModelViews.TABLES_BEHIND.keySet()));
    }
}
