-- The change sequence (docs/channels/sync.md, "Freshness"): every change to the read model's
-- dossiers (a batch pushed or pulled, a catalog change that alters what dossiers show, a repair)
-- gets a position, in the transaction that makes the change. Positions grow in commit order:
-- writers take one advisory lock just before they insert their row and hold it until commit, so
-- a reader that has seen position N has seen every committed change before it. Each instance
-- remembers the last position it applied to its cache and, after any gap (a lost listener, a
-- restart, a partition), applies everything after it before it counts itself current. The
-- NOTIFY on `tracuu_dossiers` stays the fast path; this table is the truth.
--
-- Expand only: old instances neither read nor write it (their changes then reach the new ones by
-- NOTIFY alone, as before).

CREATE TABLE dossier_changes (
    position    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The instance (or command) that made the change, as in the notification's payload.
    origin      text NOT NULL,
    -- The dossier codes the change touched.
    codes       text[] NOT NULL,
    -- When the change was recorded (commit follows within the same transaction).
    changed_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossier_changes_changed_idx ON dossier_changes (changed_at);

-- The highest position pruned from dossier_changes (rows older than the configured retention are
-- deleted). An instance whose own position is below it cannot catch up row by row and drops its
-- whole cache instead.
CREATE TABLE dossier_change_floor (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    position    bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER dossier_change_floor_touch BEFORE UPDATE ON dossier_change_floor
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();
INSERT INTO dossier_change_floor (position) VALUES (0);
