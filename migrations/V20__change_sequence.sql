-- The change sequence (docs/channels/sync.md, "Freshness"): every change to the read model's
-- dossiers (a batch pushed or pulled, a catalog change that alters what dossiers show, a repair)
-- is a row here, written in the transaction that makes the change, with a position (the order
-- rows were written) and the writing transaction's id. Each instance remembers the snapshot of
-- the sequence it last applied and, after any gap (a lost listener, a restart, a partition), reads
-- every row committed since that snapshot before it counts itself current: rows whose transaction
-- the old snapshot did not see, whatever order they committed in. Writers never wait for each
-- other. The NOTIFY on `tracuu_dossiers` stays the fast path; this table is the truth.
--
-- Expand only: old instances neither read nor write it (their changes then reach the new ones by
-- NOTIFY alone, as before).

CREATE TABLE dossier_changes (
    position    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The writing transaction: a reader takes the rows its last snapshot did not see.
    xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    -- The instance (or command) that made the change, as in the notification's payload.
    origin      text NOT NULL,
    -- The dossier codes the change touched.
    codes       text[] NOT NULL,
    -- When the change was recorded (commit follows within the same transaction).
    changed_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossier_changes_xid_idx ON dossier_changes (xid);
CREATE INDEX dossier_changes_changed_idx ON dossier_changes (changed_at);

-- What was pruned from dossier_changes (rows older than the configured retention are deleted):
-- the highest position and the highest transaction id deleted. An instance whose last snapshot
-- did not see every pruned transaction cannot catch up row by row and drops its whole cache.
CREATE TABLE dossier_change_floor (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    position    bigint NOT NULL,
    xid         xid8 NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER dossier_change_floor_touch BEFORE UPDATE ON dossier_change_floor
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();
INSERT INTO dossier_change_floor (position, xid) VALUES (0, '0');
