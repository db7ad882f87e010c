-- The 1022 hotline (issue 8): the operators' call log, the audit log of staff views of personal
-- data, and the indexes a search by phone needs.

-- Every view of personal data by a staff member: phone searches (with their reason) and detail
-- views. Append-only: updates and deletes are refused, so nobody can edit the trail.
CREATE TABLE audit_log (
    id             bigserial PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    actor_id       bigint NOT NULL REFERENCES staff_accounts (id),
    actor_label    text NOT NULL,
    action         text NOT NULL CHECK (action IN
                       ('phone_search', 'dossier_view', 'intake_item_view', 'sms_to_caller', 'audit_export')),
    -- What was looked up: a dossier code, a tracking code, or an E.164 phone number.
    subject        text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    reason         text CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500),
    -- What was shown: dossier codes and tracking codes (never the personal data itself).
    shown          text[] NOT NULL DEFAULT '{}',
    call_id        bigint,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audit_phone_search_has_reason CHECK (action <> 'phone_search' OR reason IS NOT NULL)
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at DESC);
CREATE FUNCTION tracuu_refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION tracuu_refuse_audit_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION tracuu_refuse_audit_change();

-- Calls: an operator's (started and ended at the console) or one the IVR answered by itself.
CREATE TABLE hotline_calls (
    id             bigserial PRIMARY KEY,
    source         text NOT NULL CHECK (source IN ('operator', 'ivr')),
    operator_id    bigint REFERENCES staff_accounts (id),
    -- The caller's number (E.164) when the operator typed it or the IVR platform sent it.
    caller_phone   text CHECK (caller_phone ~ '^\+84[0-9]{9,10}$'),
    started_at     timestamptz NOT NULL DEFAULT now(),
    ended_at       timestamptz,
    outcome        text CHECK (outcome IN ('answered_by_ivr', 'resolved', 'filed_ticket', 'transferred', 'other')),
    note           text CHECK (note IS NULL OR length(note) <= 2000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT hotline_call_operator CHECK (source <> 'operator' OR operator_id IS NOT NULL),
    CONSTRAINT hotline_call_ended CHECK ((ended_at IS NULL) = (outcome IS NULL)),
    CONSTRAINT hotline_call_order CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX hotline_calls_started_idx ON hotline_calls (started_at);
CREATE INDEX hotline_calls_open_idx ON hotline_calls (operator_id) WHERE ended_at IS NULL;
CREATE TRIGGER hotline_calls_touch BEFORE UPDATE ON hotline_calls
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

-- Questions and feedback an operator filed during a call.
CREATE TABLE hotline_call_items (
    call_id        bigint NOT NULL REFERENCES hotline_calls (id),
    item_id        bigint NOT NULL REFERENCES intake_items (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (call_id, item_id)
);

-- Phone searches of the console: a caller's dossiers and their questions and feedback.
CREATE INDEX dossiers_applicant_phone_idx ON dossiers (applicant_phone) WHERE applicant_phone IS NOT NULL;
CREATE INDEX intake_items_submitter_phone_idx ON intake_items (submitter_phone) WHERE submitter_phone IS NOT NULL;
CREATE INDEX intake_items_dossier_idx ON intake_items (dossier_code) WHERE dossier_code IS NOT NULL;
