-- The kiosk (issue 7): what the procedure catalogue needs for browsing and diacritic-free search,
-- the documents each procedure asks for, and the satisfaction ratings citizens give at a kiosk.

-- Search folds text with tracuu_fold() from V7 (unaccent, then lower case: đ → d, marks removed).

-- Which level settles a procedure (docs/channels/kiosk.md: browse by level → agency → field). For
-- department-level procedures, the department that settles them and the desk that receives them
-- (the department's own desk or the provincial service centre). District and commune procedures
-- are settled by every district / commune UBND. NULL while the catalogue feed does not say.
-- No foreign keys: the catalogue feed may deliver procedures before their agencies.
ALTER TABLE procedures
    ADD COLUMN level text CHECK (level IN ('department', 'district', 'commune')),
    ADD COLUMN agency_code text,
    ADD COLUMN desk_agency_code text,
    -- Folded code, name and field as words: everything but a-z, 0-9 and '.' becomes one space,
    -- with a leading space so that every word starts after a space (word-prefix search).
    ADD COLUMN search_key text GENERATED ALWAYS AS (
        ' ' || regexp_replace(tracuu_fold(code || ' ' || name || ' ' || field), '[^a-z0-9.]+', ' ', 'g')
    ) STORED;
CREATE INDEX procedures_level_idx ON procedures (level, agency_code, field);

-- The documents a procedure's dossier consists of (thành phần hồ sơ), in the order listed.
CREATE TABLE procedure_documents (
    procedure_code  text NOT NULL REFERENCES procedures (code) ON DELETE CASCADE,
    seq             integer NOT NULL CHECK (seq >= 1),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
    copies          integer NOT NULL DEFAULT 1 CHECK (copies BETWEEN 1 AND 20),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (procedure_code, seq)
);
CREATE TRIGGER procedure_documents_touch BEFORE UPDATE ON procedure_documents
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

-- Satisfaction ratings from kiosks: three faces (1 unhappy, 2 neutral, 3 happy), optionally about
-- one dossier. No personal data: the kiosk id names a device, not a person.
CREATE TABLE kiosk_ratings (
    id            bigserial PRIMARY KEY,
    kiosk_id      text NOT NULL CHECK (kiosk_id ~ '^[A-Za-z0-9._-]{1,40}$'),
    score         smallint NOT NULL CHECK (score BETWEEN 1 AND 3),
    dossier_code  text REFERENCES dossiers (code) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kiosk_ratings_created_idx ON kiosk_ratings (created_at);
