-- The feed from the main dossier store (docs/channels/sync.md).

-- Signatures of accepted push requests, so a replayed request is refused by every instance.
-- Rows older than the replay window are deleted by the instances.
CREATE TABLE sync_signatures (
    signature   bytea PRIMARY KEY,
    seen_at     timestamptz NOT NULL DEFAULT now(),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sync_signatures_seen_idx ON sync_signatures (seen_at);

-- Where each pull source got to. The watermark is opaque text (a timestamp or a change number):
-- the configured source query casts it.
CREATE TABLE sync_watermarks (
    source      text PRIMARY KEY,
    watermark   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER sync_watermarks_touch BEFORE UPDATE ON sync_watermarks
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();
