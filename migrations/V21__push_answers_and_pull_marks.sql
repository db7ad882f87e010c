-- Freshness under faults (issue 25; docs/channels/sync.md, decision 0063).
--
-- 1. Push retries are idempotent. A push retried after its answer was lost carries the same body
--    and signature. The answer given to the first request is kept beside its signature, written in
--    the batch's own transaction, so whichever instance receives the retry answers it the same. The
--    answer goes when its signature goes (twice the time window, as before). `endpoint` says which
--    push it answered: the signature covers the body, not the path, so the same signature sent to
--    another endpoint is not a retry.
--
-- 2. Stuck source transactions. The pull remembers where its watermark stood when, so that it can
--    read the source again from where it stood a configured time ago and find rows committed
--    behind it. Marks older than that are deleted as the pull goes.
--
-- Expand only: nullable columns old binaries do not write (their signatures read as "already
-- applied", without a stored answer) and a new table old binaries do not use.

ALTER TABLE sync_signatures
    ADD COLUMN endpoint      text,
    ADD COLUMN answer_status smallint,
    ADD COLUMN answer        text;

CREATE TABLE sync_watermark_marks (
    id          bigserial PRIMARY KEY,
    source      text NOT NULL,
    watermark   text NOT NULL,
    marked_at   timestamptz NOT NULL DEFAULT now(),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sync_watermark_marks_source_idx ON sync_watermark_marks (source, marked_at);
CREATE TRIGGER sync_watermark_marks_touch BEFORE UPDATE ON sync_watermark_marks
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();
