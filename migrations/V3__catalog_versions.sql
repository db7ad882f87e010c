-- Catalog pushes follow the dossier rule (docs/channels/sync.md): each agency and procedure carries the
-- main store's monotonic version, and an item whose version is not newer than the stored one is
-- stale and changes nothing. Expand-only: existing rows start at version 0, so the first pushed
-- version (0 excepted) or CSV import replaces them.
ALTER TABLE agencies ADD COLUMN version bigint NOT NULL DEFAULT 0 CHECK (version >= 0);
ALTER TABLE procedures ADD COLUMN version bigint NOT NULL DEFAULT 0 CHECK (version >= 0);
