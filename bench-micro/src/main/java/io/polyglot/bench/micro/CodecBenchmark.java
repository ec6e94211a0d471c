package io.polyglot.bench.micro;

import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.avro.EventEnvelope;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The event codec on one envelope with an {@code ActivityRecorded} payload: what every record on {@code events.all}
 * costs the decider (encode) and each worker (decode, then the payload).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {
    private EventCodec codec;
    private EventEnvelope envelope;
    private byte[] encoded;

    @Setup
    public void prepare() {
        codec = EventCodec.standard();
        envelope = Events.envelope(codec, "173688", 7);
        encoded = codec.encode(envelope);
    }

    @Benchmark
    public byte[] encodeEnvelope() {
        return codec.encode(envelope);
    }

    @Benchmark
    public EventEnvelope decodeEnvelope() {
        return codec.decode(encoded);
    }

    @Benchmark
    public SpecificRecord decodeEnvelopeAndPayload() {
        return codec.decodePayload(codec.decode(encoded).getPayload());
    }
}
