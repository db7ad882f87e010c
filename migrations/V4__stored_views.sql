-- Ready-to-serve views stored beside the read model, so a lookup that misses the in-process cache
-- is one primary-key read of pre-rendered bytes instead of joins and JSON building. A view is valid
-- only for the dossier version it was rendered from (the lookup joins on version), so a view left
-- behind by a race or an older renderer is simply ignored and rendered again.
CREATE TABLE dossier_views (
    code        text PRIMARY KEY REFERENCES dossiers (code) ON DELETE CASCADE,
    version     bigint NOT NULL,
    head        bytea NOT NULL,
    detail      bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Keep views up to a page inline and uncompressed: the default (2 kB) would compress most of
-- them, and every cache miss would pay for decompression. Larger views still get TOASTed.
ALTER TABLE dossier_views SET (toast_tuple_target = 8160);
