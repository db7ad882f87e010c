-- The province as it is since 1 July 2025 (expand step): levels of local government are data,
-- agencies have a lifecycle, and an abolished or closed agency names its successors.
--
-- * agency_levels: the levels agencies belong to. Province, department, commune, ward and special
--   zone exist today; the district level is kept, marked historical, for the agencies and dossiers
--   of before the reform. agencies.kind refers to it instead of a fixed CHECK list, so a level is
--   added by a row, not by code.
-- * agencies.valid_from / valid_until: when the agency started and stopped receiving dossiers
--   (NULL: unknown start; still open). A closed agency stays for history.
-- * agency_successors: who took over from a closed agency; many to many (a district became several
--   communes; several communes became one). The successor is checked by the code that writes it, not
--   by a foreign key, because a catalog batch may name a successor before it delivers it.
--
-- Old code keeps working: it writes only the existing kinds, which all have rows, and ignores the
-- new columns and table.

CREATE TABLE agency_levels (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z_]{1,30}$'),
    label_vi    text NOT NULL CHECK (length(label_vi) BETWEEN 1 AND 100),
    label_en    text NOT NULL CHECK (length(label_en) BETWEEN 1 AND 100),
    historical  boolean NOT NULL DEFAULT false,
    sort_order  integer NOT NULL
);

INSERT INTO agency_levels (code, label_vi, label_en, historical, sort_order) VALUES
    ('province',     'Cấp tỉnh',                        'Province',                    false, 10),
    ('department',   'Sở, ban, ngành',                  'Provincial department',       false, 20),
    ('district',     'Cấp huyện (đến ngày 30/6/2025)',  'District (until 30 June 2025)', true, 30),
    ('commune',      'Xã',                              'Commune',                     false, 40),
    ('ward',         'Phường',                          'Ward',                        false, 50),
    ('special_zone', 'Đặc khu',                         'Special zone',                false, 60);

ALTER TABLE agencies
    DROP CONSTRAINT agencies_kind_check,
    ADD CONSTRAINT agencies_kind_level FOREIGN KEY (kind) REFERENCES agency_levels (code),
    ADD COLUMN valid_from  date,
    ADD COLUMN valid_until date,
    ADD CONSTRAINT agencies_validity CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from < valid_until);

CREATE TABLE agency_successors (
    agency_code     text NOT NULL REFERENCES agencies (code) ON DELETE CASCADE,
    successor_code  text NOT NULL CHECK (successor_code ~ '^[0-9A-Z]+(\.[0-9A-Z]+){0,5}$'),
    PRIMARY KEY (agency_code, successor_code),
    CHECK (agency_code <> successor_code)
);

CREATE INDEX agency_successors_by_successor ON agency_successors (successor_code);
