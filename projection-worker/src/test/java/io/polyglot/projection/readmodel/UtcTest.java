package io.polyglot.projection.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UtcTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2011-10-01T00:38:44.546Z",
                "1970-01-01T00:00:00Z",
                "1969-12-31T23:59:59.999999999Z",
                "1900-02-28T12:00:00.000000001Z",
                "2038-01-19T03:14:08Z",
                "-999999999-01-01T00:00:00Z",
                "+999999999-12-31T23:59:59.999999999Z"
            })
    void keepsTheInstantAtOffsetZero(String text) {
        Instant instant = Instant.parse(text);

        OffsetDateTime utc = PostgresReadModelStore.utc(instant);

        assertThat(utc.toInstant()).isEqualTo(instant);
        assertThat(utc.getOffset()).isEqualTo(ZoneOffset.UTC);
        assertThat(utc).isEqualTo(OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    @org.junit.jupiter.api.Test
    void keepsNoTime() {
        assertThat(PostgresReadModelStore.utc(null)).isNull();
    }
}
