package io.polyglot.projection.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.projection.ReadModelUnavailableException;
import io.polyglot.projection.ReadModelWriteException;
import java.sql.SQLException;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whose fault a failed statement is, by its SQL state: the record's (a dead letter in the end) or not (a pause). */
class RefusalClassificationTest {

    @ParameterizedTest
    @ValueSource(strings = {"22021", "22P05", "22023", "22008", "23505", "23514", "54000"})
    void aDataExceptionAConstraintViolationOrAProgramLimitIsTheRecordsFault(String sqlState) {
        // given a statement the database failed with this SQL state
        DataAccessException failure = failedWith(sqlState);

        // when
        RuntimeException classified = PostgresReadModelStore.classify("applying a batch", failure);

        // then
        assertThat(classified).isInstanceOf(ReadModelWriteException.class).hasMessageContaining(sqlState);
        assertThat(((ReadModelWriteException) classified).sqlState()).isEqualTo(sqlState);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"53100", "57014", "57P01", "42703", "42P01", "08006", "40001", "40P01", "55P03", "58030", "XX000"
            })
    void anythingElseIsNotTheRecordsFaultAndIsWaitedOut(String sqlState) {
        // given a statement the database failed with this SQL state
        DataAccessException failure = failedWith(sqlState);

        // when
        RuntimeException classified = PostgresReadModelStore.classify("applying a batch", failure);

        // then
        assertThat(classified).isInstanceOf(ReadModelUnavailableException.class).hasMessageContaining(sqlState);
    }

    private static DataAccessException failedWith(String sqlState) {
        return new DataAccessException("statement failed", new SQLException("the database says no", sqlState));
    }
}
