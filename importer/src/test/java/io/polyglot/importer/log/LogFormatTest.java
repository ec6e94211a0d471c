package io.polyglot.importer.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogFormatTest {

    @Test
    void tellsTheFormatFromTheFileNameWithOrWithoutGzip() {
        assertThat(LogFormat.fromFileName("bpic2012.xes.gz")).hasValue(LogFormat.XES);
        assertThat(LogFormat.fromFileName("Log.XES")).hasValue(LogFormat.XES);
        assertThat(LogFormat.fromFileName("weather.csv.gz")).hasValue(LogFormat.CSV);
        assertThat(LogFormat.fromFileName("weather.csv")).hasValue(LogFormat.CSV);
        assertThat(LogFormat.fromFileName("weather.json.gz")).isEmpty();
        assertThat(LogFormat.fromFileName("gz")).isEmpty();
    }
}
