-- The read models of the real logs: offers and work items of the loan applications, the application funnel, the
-- time from each helpdesk activity to the next, and the daily weather per station.
--
-- What later events need to know (the latest created offer, the START still waiting for its COMPLETE, a ticket's
-- previous event) lives in these tables, never in the worker's memory, so it survives batches and restarts. Every row
-- remembers the source partition and offset of the last event folded into it: re-applying a batch changes nothing.
-- Each aggregate's events sit in one partition, so the instance that owns that partition is the only writer of the
-- aggregate's rows; what crosses aggregates (medians, counts per stage or activity, days of a station) is computed
-- by the views over these per-aggregate rows, whichever partition was applied first.

-- One row per O_CREATED of an application; the latest created offer is the row with the highest offer_no.
CREATE TABLE projection.loan_offer (
    application_id   text        NOT NULL,
    offer_no         integer     NOT NULL CHECK (offer_no > 0),
    status           text        NOT NULL,
    created_at       timestamptz NOT NULL,
    decided_at       timestamptz,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,
    PRIMARY KEY (application_id, offer_no)
);

-- One row per START of a work item (activity W_...), keyed by where that START was read.
CREATE TABLE projection.loan_work_item (
    application_id   text        NOT NULL,
    work_item        text        NOT NULL,
    start_partition  integer     NOT NULL,
    start_offset     bigint      NOT NULL,
    scheduled_at     timestamptz,
    started_at       timestamptz NOT NULL,
    completed_at     timestamptz,
    source_offset    bigint      NOT NULL,
    PRIMARY KEY (application_id, work_item, start_partition, start_offset)
);

-- Per application and work item, what its next events need: the START still open (no COMPLETE yet, no later
-- START) and the latest SCHEDULE, with the offset of the last event of this work item applied.
CREATE TABLE projection.loan_work_item_state (
    application_id        text        NOT NULL,
    work_item             text        NOT NULL,
    open_start_offset     bigint,
    open_started_at       timestamptz,
    last_scheduled_at     timestamptz,
    source_partition      integer     NOT NULL,
    source_offset         bigint      NOT NULL,
    PRIMARY KEY (application_id, work_item),
    CHECK ((open_start_offset IS NULL) = (open_started_at IS NULL))
);

-- The stages of an application in process order: the happy path first, then the two ways out. An A_ activity not
-- listed here comes after them, by name.
CREATE TABLE projection.loan_stage (
    stage       text    NOT NULL PRIMARY KEY,
    stage_order integer NOT NULL UNIQUE
);

INSERT INTO projection.loan_stage (stage, stage_order) VALUES
    ('A_SUBMITTED', 1),
    ('A_PARTLYSUBMITTED', 2),
    ('A_PREACCEPTED', 3),
    ('A_ACCEPTED', 4),
    ('A_FINALIZED', 5),
    ('A_APPROVED', 6),
    ('A_REGISTERED', 7),
    ('A_ACTIVATED', 8),
    ('A_DECLINED', 9),
    ('A_CANCELLED', 10);

-- The first occurrence, by position, of each A_ activity of an application.
CREATE TABLE projection.loan_stage_reached (
    application_id   text        NOT NULL,
    stage            text        NOT NULL,
    first_at         timestamptz NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,
    PRIMARY KEY (application_id, stage)
);

-- One row per event of a helpdesk ticket, with the business time of the ticket's next event by position; null for
-- the ticket's last event so far, which the ticket's next batch completes.
CREATE TABLE projection.helpdesk_ticket_event (
    ticket_id        text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,
    activity         text        NOT NULL,
    occurred_at      timestamptz NOT NULL,
    next_occurred_at timestamptz,
    PRIMARY KEY (ticket_id, source_partition, source_offset)
);

CREATE INDEX helpdesk_ticket_event_last ON projection.helpdesk_ticket_event (ticket_id)
    WHERE next_occurred_at IS NULL;

-- Per station and local day, the running aggregates of its readings; sums are numeric, so they do not depend on
-- the order readings are added in.
CREATE TABLE projection.weather_day (
    station          text    NOT NULL,
    day              date    NOT NULL,
    readings         bigint  NOT NULL CHECK (readings > 0),
    temp_readings    bigint  NOT NULL CHECK (temp_readings >= 0),
    temp_sum         numeric,
    temp_min         numeric,
    temp_max         numeric,
    precip_sum       numeric,
    source_partition integer NOT NULL,
    source_offset    bigint  NOT NULL,
    PRIMARY KEY (station, day)
);

CREATE VIEW public.loan_offers AS
SELECT application_id, offer_no, status, created_at, decided_at
FROM projection.loan_offer;

COMMENT ON VIEW public.loan_offers IS 'One row per O_CREATED event of a LoanApplication, numbered within it.';
COMMENT ON COLUMN public.loan_offers.application_id IS 'The aggregate id of the application.';
COMMENT ON COLUMN public.loan_offers.offer_no IS 'The offer''s number within the application: 1, 2, 3 ... by position.';
COMMENT ON COLUMN public.loan_offers.status IS
    'The activity of the offer''s latest event: O_SELECTED belongs to the offer created next, any other O_ event to'
    ' the latest created offer.';
COMMENT ON COLUMN public.loan_offers.created_at IS 'The business time of the offer''s O_CREATED.';
COMMENT ON COLUMN public.loan_offers.decided_at IS
    'The business time of the offer''s first O_ACCEPTED, O_DECLINED or O_CANCELLED; null until there is one.';

CREATE VIEW public.loan_work_items AS
SELECT application_id,
       work_item,
       scheduled_at,
       started_at,
       completed_at,
       extract(epoch FROM completed_at - started_at) AS handling_seconds
FROM projection.loan_work_item;

COMMENT ON VIEW public.loan_work_items IS 'One row per START of a work item (activity W_...) of a LoanApplication.';
COMMENT ON COLUMN public.loan_work_items.application_id IS 'The aggregate id of the application.';
COMMENT ON COLUMN public.loan_work_items.work_item IS 'The work item''s activity, e.g. W_Completeren aanvraag.';
COMMENT ON COLUMN public.loan_work_items.scheduled_at IS
    'The business time of the work item''s latest SCHEDULE before this START; null when there is none.';
COMMENT ON COLUMN public.loan_work_items.started_at IS 'The business time of the START.';
COMMENT ON COLUMN public.loan_work_items.completed_at IS
    'The business time of the work item''s next COMPLETE before its next START; null when there is none.';
COMMENT ON COLUMN public.loan_work_items.handling_seconds IS 'completed_at minus started_at in seconds; null when open.';

CREATE VIEW public.loan_funnel AS
SELECT reached.stage,
       count(*)::bigint AS applications,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM reached.first_at - submitted.first_at)::double precision / 3600
       ) AS median_hours_from_submission
FROM projection.loan_stage_reached reached
LEFT JOIN projection.loan_stage_reached submitted
       ON submitted.application_id = reached.application_id AND submitted.stage = 'A_SUBMITTED'
LEFT JOIN projection.loan_stage stage ON stage.stage = reached.stage
GROUP BY reached.stage, stage.stage_order
ORDER BY stage.stage_order NULLS LAST, reached.stage;

COMMENT ON VIEW public.loan_funnel IS 'The A_ activities of LoanApplication aggregates in process order.';
COMMENT ON COLUMN public.loan_funnel.stage IS 'The A_ activity.';
COMMENT ON COLUMN public.loan_funnel.applications IS 'How many applications reached the stage.';
COMMENT ON COLUMN public.loan_funnel.median_hours_from_submission IS
    'Median hours from an application''s first A_SUBMITTED to its first occurrence of the stage; applications'
    ' without A_SUBMITTED are left out of it.';

CREATE VIEW public.helpdesk_activity_durations AS
SELECT activity,
       count(*)::bigint AS events,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM next_occurred_at - occurred_at)::double precision
       ) AS median_seconds_to_next
FROM projection.helpdesk_ticket_event
GROUP BY activity;

COMMENT ON VIEW public.helpdesk_activity_durations IS 'Per activity of HelpdeskTicket aggregates, the time to the next.';
COMMENT ON COLUMN public.helpdesk_activity_durations.activity IS 'The activity, as in the log.';
COMMENT ON COLUMN public.helpdesk_activity_durations.events IS 'How many events have this activity.';
COMMENT ON COLUMN public.helpdesk_activity_durations.median_seconds_to_next IS
    'Median seconds from such an event to the ticket''s next event by position; a ticket''s last event is left out.';

CREATE VIEW public.weather_daily AS
SELECT station,
       day,
       readings,
       temp_min AS min_temp,
       temp_max AS max_temp,
       temp_sum / nullif(temp_readings, 0) AS mean_temp,
       precip_sum AS total_precip
FROM projection.weather_day;

COMMENT ON VIEW public.weather_daily IS 'Per WeatherStation aggregate and local day, its readings.';
COMMENT ON COLUMN public.weather_daily.station IS 'The aggregate id of the station (the CSV''s origin).';
COMMENT ON COLUMN public.weather_daily.day IS 'The local date of the reading''s year, month and day attributes.';
COMMENT ON COLUMN public.weather_daily.readings IS 'How many readings the station has on that day.';
COMMENT ON COLUMN public.weather_daily.min_temp IS 'The lowest temp of the day, units as in the source; NA left out.';
COMMENT ON COLUMN public.weather_daily.max_temp IS 'The highest temp of the day, units as in the source; NA left out.';
COMMENT ON COLUMN public.weather_daily.mean_temp IS 'The mean temp of the day''s readings that have one.';
COMMENT ON COLUMN public.weather_daily.total_precip IS 'The sum of the day''s precip; null when every reading lacks it.';
