-- The read models of the projection worker.
--
-- People query the views in schema public; the tables behind them live in schema projection, which only the
-- projection worker writes. Every table row remembers the source partition and offset of the last event folded
-- into it, so re-applying a batch that was already applied changes nothing.

CREATE SCHEMA projection;

COMMENT ON SCHEMA projection IS 'Tables written by the projection worker; query the views in schema public instead.';

CREATE TABLE projection.projection_offsets (
    consumer_group text    NOT NULL,
    topic          text    NOT NULL,
    partition      integer NOT NULL CHECK (partition >= 0),
    next_offset    bigint  NOT NULL CHECK (next_offset >= 0),
    PRIMARY KEY (consumer_group, topic, partition)
);

COMMENT ON TABLE projection.projection_offsets IS
    'The next offset to read per consumer group, topic and partition, committed with the read-model changes.';

CREATE TABLE projection.loan_application (
    application_id    text        NOT NULL PRIMARY KEY,
    status            text,
    amount_requested  numeric,
    submitted_at      timestamptz,
    last_event_at     timestamptz NOT NULL,
    event_count       bigint      NOT NULL CHECK (event_count > 0),
    aggregate_version bigint      NOT NULL,
    source_partition  integer     NOT NULL,
    source_offset     bigint      NOT NULL
);

CREATE TABLE projection.helpdesk_ticket (
    ticket_id         text        NOT NULL PRIMARY KEY,
    status            text        NOT NULL,
    opened_at         timestamptz NOT NULL,
    last_event_at     timestamptz NOT NULL,
    event_count       bigint      NOT NULL CHECK (event_count > 0),
    aggregate_version bigint      NOT NULL,
    source_partition  integer     NOT NULL,
    source_offset     bigint      NOT NULL
);

-- One partial count per source partition: the instance that owns a partition is the only writer of its rows, so
-- two instances never wait on each other's rows, and the view adds the parts up.
CREATE TABLE projection.loan_activity_count_part (
    source_partition integer NOT NULL,
    activity         text    NOT NULL,
    lifecycle        text,
    events           bigint  NOT NULL CHECK (events > 0),
    source_offset    bigint  NOT NULL,
    CONSTRAINT loan_activity_count_part_key UNIQUE NULLS NOT DISTINCT (source_partition, activity, lifecycle)
);

CREATE VIEW public.loan_applications AS
SELECT application_id, status, amount_requested, submitted_at, last_event_at, event_count
FROM projection.loan_application;

COMMENT ON VIEW public.loan_applications IS 'One row per aggregate of type LoanApplication.';
COMMENT ON COLUMN public.loan_applications.application_id IS 'The aggregate id of the application.';
COMMENT ON COLUMN public.loan_applications.status IS
    'The activity of the latest application-state event (activity starting A_), latest by position in the case.';
COMMENT ON COLUMN public.loan_applications.amount_requested IS
    'Attribute AMOUNT_REQ of the first event that carries it.';
COMMENT ON COLUMN public.loan_applications.submitted_at IS 'The business time of the first A_SUBMITTED event.';
COMMENT ON COLUMN public.loan_applications.last_event_at IS 'The latest business time of any event of the case.';
COMMENT ON COLUMN public.loan_applications.event_count IS 'How many events of the case were applied.';

CREATE VIEW public.loan_activity_counts AS
SELECT activity, lifecycle, sum(events)::bigint AS events
FROM projection.loan_activity_count_part
GROUP BY activity, lifecycle;

COMMENT ON VIEW public.loan_activity_counts IS 'How many LoanApplication events each activity and lifecycle has.';
COMMENT ON COLUMN public.loan_activity_counts.activity IS 'The activity, as in the log.';
COMMENT ON COLUMN public.loan_activity_counts.lifecycle IS
    'The lifecycle transition, as in the log (e.g. COMPLETE); null when the event has none.';
COMMENT ON COLUMN public.loan_activity_counts.events IS 'How many events have this activity and lifecycle.';

CREATE VIEW public.helpdesk_tickets AS
SELECT ticket_id, status, opened_at, last_event_at, event_count
FROM projection.helpdesk_ticket;

COMMENT ON VIEW public.helpdesk_tickets IS 'One row per aggregate of type HelpdeskTicket.';
COMMENT ON COLUMN public.helpdesk_tickets.ticket_id IS 'The aggregate id of the ticket.';
COMMENT ON COLUMN public.helpdesk_tickets.status IS 'The activity of the latest event, latest by position.';
COMMENT ON COLUMN public.helpdesk_tickets.opened_at IS 'The business time of the first event.';
COMMENT ON COLUMN public.helpdesk_tickets.last_event_at IS 'The latest business time of any event of the ticket.';
COMMENT ON COLUMN public.helpdesk_tickets.event_count IS 'How many events of the ticket were applied.';
