package io.polyglot.bench.micro;

import io.polyglot.command.avro.AggregateHead;
import io.polyglot.command.avro.CommandDecision;
import io.polyglot.command.avro.CommandRecord;
import io.polyglot.command.avro.DecidedEvent;
import io.polyglot.command.avro.Outcome;
import io.polyglot.command.decider.DeciderRecords;
import io.polyglot.command.intake.CommandIntake;
import io.polyglot.command.intake.CommandTypes;
import io.polyglot.command.intake.Intake;
import io.polyglot.schemas.EventCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The command service's own CPU work per command, without Kafka: the HTTP thread's intake of one {@code
 * RecordActivity} JSON body (parse, validate, body hash, payload encoding), and the decider's records of one
 * accepted decision, each encoded and decoded as the stream thread and its changelogs do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DeciderBenchmark {
    private static final Instant DECIDED_AT = Instant.parse("2011-10-01T09:43:44.551Z");

    private CommandIntake intake;
    private byte[] json;
    private CommandRecord command;
    private CommandDecision decision;
    private AggregateHead head;
    private byte[] commandBytes;
    private byte[] decisionBytes;
    private byte[] headBytes;

    @Setup
    public void prepare() {
        EventCodec codec = EventCodec.standard();
        UUID eventId = UUID.fromString("6f1c2a9e-1b7d-4c55-9d0e-6b2d3f3c4a11");
        intake = new CommandIntake(CommandTypes.standard(), codec, Clock.systemUTC(), () -> eventId, 1_048_576);
        json = ("{\"commandId\":\"import-173688-7\",\"aggregateType\":\"LoanApplication\",\"aggregateId\":\"173688\","
                        + "\"type\":\"RecordActivity\",\"payload\":{\"activity\":\"W_Completeren aanvraag\","
                        + "\"lifecycle\":\"COMPLETE\",\"resource\":\"112\","
                        + "\"occurredAt\":\"2011-10-01T11:45:13.917+02:00\","
                        + "\"attributes\":{\"AMOUNT_REQ\":\"20000\",\"REG_DATE\":\"2011-10-01T00:38:44.546+02:00\"}}}")
                .getBytes(StandardCharsets.UTF_8);
        Intake.Accepted accepted = (Intake.Accepted) intake.read(json);
        command = CommandRecord.newBuilder()
                .setCommandId(accepted.id())
                .setAggregateType(accepted.aggregateType())
                .setAggregateId(accepted.aggregateId())
                .setCommandType("RecordActivity")
                .setExpectedVersion(null)
                .setBodyHash(accepted.bodyHash())
                .setBodyHashAsSent(accepted.bodyHashAsSent())
                .setEvents(List.of(ByteBuffer.wrap(codec.encode(Events.envelope(codec, "173688", 7)))))
                .build();
        decision = CommandDecision.newBuilder()
                .setCommandId(command.getCommandId())
                .setAggregateType(command.getAggregateType())
                .setAggregateId(command.getAggregateId())
                .setBodyHash(command.getBodyHash())
                .setOutcome(Outcome.ACCEPTED)
                .setEvents(List.of(DecidedEvent.newBuilder()
                        .setEventId(eventId.toString())
                        .setAggregateVersion(7L)
                        .build()))
                .setDecidedAt(DECIDED_AT)
                .build();
        head = AggregateHead.newBuilder()
                .setAggregateType(command.getAggregateType())
                .setAggregateId(command.getAggregateId())
                .setVersion(7L)
                .setLastEventAt(DECIDED_AT)
                .setState(Map.of("submitted", "true", "closed", "false", "offers", "1"))
                .build();
        commandBytes = DeciderRecords.encode(command);
        decisionBytes = DeciderRecords.encode(decision);
        headBytes = DeciderRecords.encode(head);
    }

    @Benchmark
    public Intake readCommand() {
        return intake.read(json);
    }

    @Benchmark
    public byte[] encodeCommand() {
        return DeciderRecords.encode(command);
    }

    @Benchmark
    public CommandRecord decodeCommand() {
        return DeciderRecords.command(commandBytes);
    }

    @Benchmark
    public byte[] encodeDecision() {
        return DeciderRecords.encode(decision);
    }

    @Benchmark
    public CommandDecision decodeDecision() {
        return DeciderRecords.decision(decisionBytes);
    }

    @Benchmark
    public byte[] encodeHead() {
        return DeciderRecords.encode(head);
    }

    @Benchmark
    public AggregateHead decodeHead() {
        return DeciderRecords.head(headBytes);
    }
}
