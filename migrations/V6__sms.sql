-- The SMS channel (issue 5): inbound messages from Kannel, subscriptions, opt-outs, ratings, and
-- the outbox every module queues outgoing SMS through (docs/channels/sms.md).
-- Phone numbers are stored in E.164 because we send to them; logs only ever carry masked forms.

-- Every message Kannel delivered to us, with the reply we gave (NULL: none, e.g. a duplicate of a
-- message already answered, or silence after the rate-limit notice).
CREATE TABLE sms_inbound (
    id           bigserial PRIMARY KEY,
    -- Kannel's message id (%I). Unique: a retried delivery is recognised and answered with nothing.
    gateway_id   text UNIQUE CHECK (length(gateway_id) <= 100),
    sender       text NOT NULL CHECK (length(sender) BETWEEN 1 AND 32),
    receiver     text NOT NULL CHECK (length(receiver) <= 32),
    body         text NOT NULL CHECK (length(body) <= 1000),
    -- SHA-256 of the normalised text (the same sender sending the same text within a minute is a
    -- duplicate; each instance checks that in memory, see channels::sms).
    body_hash    bytea NOT NULL,
    command      text NOT NULL,
    outcome      text NOT NULL,
    reply        text,
    gateway_time timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER sms_inbound_touch BEFORE UPDATE ON sms_inbound
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

-- Who asked to be told when a dossier's status changes.
CREATE TABLE sms_subscriptions (
    phone         text NOT NULL CHECK (phone ~ '^\+[0-9]{8,15}$'),
    dossier_code  text NOT NULL REFERENCES dossiers (code) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (phone, dossier_code)
);
CREATE INDEX sms_subscriptions_dossier_idx ON sms_subscriptions (dossier_code);
CREATE TRIGGER sms_subscriptions_touch BEFORE UPDATE ON sms_subscriptions
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

-- Phones that want no SMS at all (TU CHOI / STOP / HUY without a code) ...
CREATE TABLE sms_opt_outs (
    phone       text PRIMARY KEY CHECK (phone ~ '^\+[0-9]{8,15}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER sms_opt_outs_touch BEFORE UPDATE ON sms_opt_outs
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

-- ... and phones that want none about one dossier (HUY <code>), applicant or not.
CREATE TABLE sms_mutes (
    phone         text NOT NULL CHECK (phone ~ '^\+[0-9]{8,15}$'),
    dossier_code  text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (phone, dossier_code)
);
CREATE TRIGGER sms_mutes_touch BEFORE UPDATE ON sms_mutes
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

-- Satisfaction ratings sent by SMS (DG <code> <1|2|3>): 1 rất hài lòng, 2 hài lòng,
-- 3 không hài lòng. The latest rating of a phone for a dossier counts.
CREATE TABLE sms_ratings (
    phone         text NOT NULL CHECK (length(phone) BETWEEN 1 AND 32),
    dossier_code  text NOT NULL REFERENCES dossiers (code) ON DELETE CASCADE,
    rating        smallint NOT NULL CHECK (rating IN (1, 2, 3)),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (phone, dossier_code)
);
CREATE TRIGGER sms_ratings_touch BEFORE UPDATE ON sms_ratings
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

-- The outbox: written in the transaction of the change that causes the message, sent by the
-- worker (src/channels/sms/sender.rs). `dedupe_key` is unique, so the same notification is never
-- queued twice; a row leaves `queued` for `sending` in a committed claim before the HTTP request,
-- so a crash or a second instance can never send it again.
CREATE TABLE sms_outbox (
    id               bigserial PRIMARY KEY,
    recipient        text NOT NULL CHECK (recipient ~ '^\+[0-9]{8,15}$'),
    body             text NOT NULL CHECK (length(body) BETWEEN 1 AND 306),
    kind             text NOT NULL CHECK (kind ~ '^[a-z_]{1,40}$'),
    dedupe_key       text NOT NULL UNIQUE CHECK (length(dedupe_key) BETWEEN 1 AND 200),
    dossier_code     text,
    not_before       timestamptz NOT NULL DEFAULT now(),
    state            text NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'cancelled')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    claimed_by       text,
    sent_at          timestamptz,
    gateway_answer   text,
    dlr_status       smallint,
    dlr_answer       text,
    dlr_at           timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sms_outbox_due_idx ON sms_outbox (next_attempt_at) WHERE state = 'queued';
CREATE INDEX sms_outbox_sending_idx ON sms_outbox (updated_at) WHERE state = 'sending';
CREATE INDEX sms_outbox_recipient_idx ON sms_outbox (recipient) WHERE state = 'queued';
CREATE TRIGGER sms_outbox_touch BEFORE UPDATE ON sms_outbox
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

-- Every delivery report Kannel sent (status 1 delivered, 2 failed, 4 buffered, 8 accepted by the
-- SMSC, 16 rejected by the SMSC).
CREATE TABLE sms_delivery_reports (
    id          bigserial PRIMARY KEY,
    outbox_id   bigint NOT NULL REFERENCES sms_outbox (id) ON DELETE CASCADE,
    status      smallint NOT NULL,
    answer      text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sms_delivery_reports_outbox_idx ON sms_delivery_reports (outbox_id);
