-- Retention of personal data (issue 23, Law 91/2025/QH15; docs/operations.md, Retention;
-- decision 0068). Expand only: old binaries neither erase contacts nor delete audit rows, and
-- every row they write still passes the constraints below.

-- When `tracuu retention` erased the submitter's contact details of a closed item. Such an item
-- keeps its subject, text, answer and history, but no longer names or reaches its submitter, so
-- the constraints that required a way to reach the submitter hold only until then.
ALTER TABLE intake_items ADD COLUMN contact_erased_at timestamptz;
ALTER TABLE intake_items DROP CONSTRAINT intake_feedback_identifies;
ALTER TABLE intake_items ADD CONSTRAINT intake_feedback_identifies CHECK (
    kind <> 'feedback' OR contact_erased_at IS NOT NULL OR
    (submitter_name IS NOT NULL AND submitter_address IS NOT NULL AND submitter_phone IS NOT NULL));
ALTER TABLE intake_items DROP CONSTRAINT intake_question_reachable;
ALTER TABLE intake_items ADD CONSTRAINT intake_question_reachable CHECK (
    contact_erased_at IS NOT NULL OR submitter_phone IS NOT NULL OR submitter_email IS NOT NULL);
ALTER TABLE intake_items DROP CONSTRAINT intake_private_has_phone;
ALTER TABLE intake_items ADD CONSTRAINT intake_private_has_phone CHECK (
    is_public OR contact_erased_at IS NOT NULL OR submitter_phone IS NOT NULL);
ALTER TABLE intake_items ADD CONSTRAINT intake_erased_has_no_contact CHECK (
    contact_erased_at IS NULL OR (submitter_name IS NULL AND submitter_phone IS NULL
        AND submitter_email IS NULL AND submitter_address IS NULL));

-- The audit log stays append-only for everyone, with one exception: the retention job deletes
-- rows past their period in a transaction that sets `tracuu.retention` to `on` (SET LOCAL).
-- Updates and TRUNCATE are still refused.
CREATE OR REPLACE FUNCTION tracuu_refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('tracuu.retention', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END $$;

-- What the job scans: inbound SMS and finished outbox rows by age, calls by start.
CREATE INDEX sms_inbound_created_idx ON sms_inbound (created_at);
CREATE INDEX sms_outbox_finished_idx ON sms_outbox (created_at)
    WHERE state IN ('sent', 'delivered', 'failed', 'cancelled');
