package io.polyglot.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void turnsALibpqUriIntoJdbcSettings() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://polyglot:p%40ss@127.0.0.1:54321/polyglot?sslmode=disable");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:54321/polyglot?sslmode=disable");
        assertThat(url.user()).isEqualTo("polyglot");
        assertThat(url.password()).isEqualTo("p@ss");
        assertThat(url.toString()).doesNotContain("p@ss");
    }

    @Test
    void refusesWhatIsNotAPostgresqlUri() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://x@h/db")).isInstanceOf(InvalidSettingException.class);
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql:///db")).isInstanceOf(InvalidSettingException.class);
    }
}
