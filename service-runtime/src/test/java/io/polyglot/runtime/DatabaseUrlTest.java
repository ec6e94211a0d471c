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

    @Test
    void namesTheServerItPointsAtWithoutDatabaseQueryOrCredentials() {
        // given
        DatabaseUrl one = DatabaseUrl.parse("postgresql://polyglot:secret@127.0.0.1:54321/polyglot?sslmode=disable");
        DatabaseUrl several = DatabaseUrl.parse("jdbc:postgresql://db1:5432,db2:5433/polyglot");
        DatabaseUrl local = DatabaseUrl.parse("jdbc:postgresql:polyglot");

        // then
        assertThat(one.server()).isEqualTo("127.0.0.1:54321");
        assertThat(several.server()).isEqualTo("db1:5432,db2:5433");
        assertThat(local.server()).isEqualTo("jdbc:postgresql:polyglot");
    }
}
