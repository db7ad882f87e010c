-- The read model: a copy of what the main dossier store knows, shaped for lookups.
-- tracuu never changes a dossier; the sync path is the only writer of these tables.

CREATE FUNCTION tracuu_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;

-- Agencies (cơ quan, đơn vị) by their QĐ 20/2020/QĐ-TTg code, as a hierarchy:
-- province → department or district → commune.
CREATE TABLE agencies (
    code          text PRIMARY KEY CHECK (code ~ '^[0-9A-Z]+(\.[0-9A-Z]+){0,5}$' AND length(code) <= 35),
    parent_code   text REFERENCES agencies (code),
    kind          text NOT NULL CHECK (kind IN ('province', 'department', 'district', 'commune')),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    desk_address  text,
    desk_phone    text,
    desk_hours    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agencies_parent_idx ON agencies (parent_code);
CREATE TRIGGER agencies_touch BEFORE UPDATE ON agencies
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

-- Administrative procedures (thủ tục hành chính) by national code N.NNNNNN.
CREATE TABLE procedures (
    code             text PRIMARY KEY CHECK (code ~ '^[0-9]\.[0-9]{6}$'),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
    field            text NOT NULL,
    processing_days  integer NOT NULL CHECK (processing_days BETWEEN 0 AND 365),
    fee_vnd          bigint CHECK (fee_vnd >= 0),
    fee_note         text,
    online_level     text NOT NULL CHECK (online_level IN ('full', 'partial', 'none')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER procedures_touch BEFORE UPDATE ON procedures
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

-- Damm check digit: detects every single-digit error and every adjacent transposition.
-- The Rust implementation (domain::lookup_number) must agree; an integration test checks it.
CREATE FUNCTION tracuu_damm_digit(digits text) RETURNS integer LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    t integer[] := ARRAY[
        0,3,1,7,5,9,8,6,4,2,
        7,0,9,2,1,5,4,8,6,3,
        4,2,0,6,8,7,1,3,5,9,
        1,7,5,0,9,8,3,4,2,6,
        6,1,2,3,0,4,5,9,7,8,
        3,6,7,4,2,0,9,5,8,1,
        5,8,6,9,7,2,0,1,3,4,
        8,9,4,5,3,6,2,0,1,7,
        9,4,3,8,6,1,7,2,0,5,
        2,5,8,1,4,3,6,7,9,0];
    interim integer := 0;
    i integer;
BEGIN
    FOR i IN 1 .. length(digits) LOOP
        interim := t[interim * 10 + (ascii(substr(digits, i, 1)) - 48) + 1];
    END LOOP;
    RETURN interim;
END $$;

-- Lookup numbers are 9 digits plus a Damm check digit. The 9 digits are a bijective scramble of a
-- sequence value (multiplier coprime to 10), so consecutive dossiers do not get neighbouring numbers.
CREATE SEQUENCE dossier_lookup_seq MAXVALUE 999999999;
CREATE FUNCTION tracuu_lookup_number(seq bigint) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT (body * 10 + tracuu_damm_digit(lpad(body::text, 9, '0')))::bigint
    FROM (SELECT (seq * 387420489 + 123456789) % 1000000000 AS body) AS s
$$;

CREATE TABLE dossiers (
    code                     text PRIMARY KEY,
    lookup_number            bigint NOT NULL UNIQUE DEFAULT tracuu_lookup_number(nextval('dossier_lookup_seq')),
    procedure_code           text NOT NULL REFERENCES procedures (code),
    receiving_agency_code    text NOT NULL REFERENCES agencies (code),
    handling_agency_code     text NOT NULL REFERENCES agencies (code),
    channel                  smallint NOT NULL CHECK (channel IN (1, 2, 3)),
    status                   smallint NOT NULL CHECK (status BETWEEN 1 AND 10),
    -- Personal data: stored for masked display and for the phone proof, never shown in full.
    applicant_name           text NOT NULL,
    applicant_phone          text CHECK (applicant_phone ~ '^\+84[0-9]{9,10}$'),
    received_at              timestamptz NOT NULL,
    due_at                   timestamptz,
    finished_at              timestamptz,
    returned_at              timestamptz,
    supplement_count         integer NOT NULL DEFAULT 0 CHECK (supplement_count >= 0),
    supplement_requested_at  timestamptz,
    supplement_seconds       bigint NOT NULL DEFAULT 0 CHECK (supplement_seconds >= 0),
    supplement_request       text,
    version                  bigint NOT NULL CHECK (version >= 0),
    source_updated_at        timestamptz NOT NULL DEFAULT now(),
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossiers_updated_idx ON dossiers (updated_at);
CREATE TRIGGER dossiers_touch BEFORE UPDATE ON dossiers
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

-- The timeline of a dossier, one row per processing step. No officer names: steps name agencies.
CREATE TABLE dossier_events (
    dossier_code  text NOT NULL REFERENCES dossiers (code) ON DELETE CASCADE,
    seq           integer NOT NULL CHECK (seq >= 0),
    occurred_at   timestamptz NOT NULL,
    status        smallint NOT NULL CHECK (status BETWEEN 1 AND 10),
    step          text NOT NULL,
    agency_code   text REFERENCES agencies (code),
    note          text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dossier_code, seq)
);

-- Exceptions to the Monday–Friday working week: public holidays that fall on working days, days off
-- moved by government decision, and make-up working days (ngày làm bù) that fall on a weekend.
CREATE TABLE calendar_days (
    day         date PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('holiday', 'working')),
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER calendar_days_touch BEFORE UPDATE ON calendar_days
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

-- Facts about this installation that survive restarts (e.g. whether the demo province was loaded).
CREATE TABLE installation (
    key         text PRIMARY KEY,
    value       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
