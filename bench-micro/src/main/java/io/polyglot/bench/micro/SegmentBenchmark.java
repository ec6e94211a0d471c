package io.polyglot.bench.micro;

import io.polyglot.archive.store.ArchivedEvent;
import io.polyglot.archive.store.SegmentChecksum;
import io.polyglot.archive.store.SegmentFormat;
import io.polyglot.archive.store.SegmentKey;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Building one sealed segment in memory, the archive's Avro container written by {@link SegmentFormat} with its
 * SHA-256 ({@link SegmentChecksum}), at the archiver's default size (100 events) and at 10,000: the CPU part of a
 * seal, without the journal, the disk or the upload.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SegmentBenchmark {
    @Param({"100", "10000"})
    public int events;

    private List<ArchivedEvent> segment;
    private SegmentKey key;

    @Setup
    public void prepare() {
        EventCodec codec = EventCodec.standard();
        segment = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            // 20 events a case, as in BPI 2012, and consecutive offsets of one partition.
            String application = Integer.toString(173_688 + i / 20);
            segment.add(new ArchivedEvent(1_000 + i, Events.envelope(codec, application, 1 + i % 20)));
        }
        key = SegmentKey.of("LoanApplication", 3, 1_000);
    }

    @Benchmark
    public String buildWithChecksum() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(events * 300);
        SegmentFormat.write(key, Topics.EVENTS_ALL, segment, out);
        return SegmentChecksum.sha256Hex(out.toByteArray());
    }
}
