-- What the operators decided about the projection's dead letters.
--
-- A dead letter of a projection group is left out of its read model (live and rebuilt alike) until it is retried. A
-- retry rebuilds the read model with the record in its place and stores its row here in the rebuild's swap
-- transaction, so a record is applied at most once: the primary key is the record's source partition and offset.

CREATE TABLE projection.dead_letter_resolution (
    consumer_group text        NOT NULL,
    topic          text        NOT NULL,
    partition      integer     NOT NULL CHECK (partition >= 0),
    source_offset  bigint      NOT NULL CHECK (source_offset >= 0),
    resolution     text        NOT NULL CHECK (resolution IN ('retried', 'skipped')),
    decided_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition, source_offset)
);

COMMENT ON TABLE projection.dead_letter_resolution IS
    'Per consumer group, the dead letters an operator retried (applied once, in place) or skipped (left out for good).';
