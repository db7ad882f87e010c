-- Questions (hỏi đáp) and feedback (phản ánh, kiến nghị): intake from every channel, routing to the
-- competent agency, answers and publication; and the staff accounts of the console that handles them.

-- Diacritic- and case-insensitive search. unaccent is a trusted extension (PostgreSQL 13+), so the
-- database owner may create it; its rules file maps đ/Đ to d/D and every Vietnamese vowel form.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE FUNCTION tracuu_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1))
$$;

-- Staff of the console. Roles are a closed set; an agency officer belongs to exactly one agency.
CREATE TABLE staff_accounts (
    id               bigserial PRIMARY KEY,
    username         text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
    display_name     text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    role             text NOT NULL CHECK (role IN ('administrator', 'desk_head', 'agency_officer', 'operator')),
    agency_code      text REFERENCES agencies (code),
    password_hash    text NOT NULL,
    active           boolean NOT NULL DEFAULT true,
    failed_logins    integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT staff_officer_has_agency CHECK (role <> 'agency_officer' OR agency_code IS NOT NULL)
);
CREATE TRIGGER staff_accounts_touch BEFORE UPDATE ON staff_accounts
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

-- Sessions are stored by the SHA-256 of their cookie value: a leaked table cannot be replayed.
CREATE TABLE staff_sessions (
    id_hash       bytea PRIMARY KEY,
    account_id    bigint NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    csrf_token    text NOT NULL,
    expires_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_sessions_account_idx ON staff_sessions (account_id);

-- Which agency handles a procedure at each level (routing rules, edited by administrators).
CREATE TABLE procedure_routes (
    procedure_code  text NOT NULL REFERENCES procedures (code),
    level           text NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    agency_code     text NOT NULL REFERENCES agencies (code),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (procedure_code, level)
);
CREATE TRIGGER procedure_routes_touch BEFORE UPDATE ON procedure_routes
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

-- Daily counters behind the public tracking codes (HD.20261123.0001, PAKN.20261123.0001).
CREATE TABLE intake_counters (
    kind        text NOT NULL CHECK (kind IN ('question', 'feedback')),
    day         date NOT NULL,
    last        integer NOT NULL CHECK (last >= 1),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, day)
);

CREATE TABLE intake_items (
    id                 bigserial PRIMARY KEY,
    tracking_code      text NOT NULL UNIQUE,
    kind               text NOT NULL CHECK (kind IN ('question', 'feedback')),
    channel            text NOT NULL CHECK (channel IN ('web', 'kiosk', 'hotline', 'app')),
    -- Personal data: shown to staff, never published, never logged.
    submitter_name     text,
    submitter_phone    text CHECK (submitter_phone ~ '^\+84[0-9]{9,10}$'),
    submitter_email    text,
    submitter_address  text,
    subject            text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
    body               text NOT NULL CHECK (length(body) BETWEEN 1 AND 100000),
    dossier_code       text,
    procedure_code     text REFERENCES procedures (code),
    level              text CHECK (level IN ('province', 'district', 'commune')),
    agency_code        text REFERENCES agencies (code),
    routed_by          text NOT NULL CHECK (routed_by IN ('explicit', 'dossier', 'procedure', 'desk')),
    -- The desk head's classification of feedback (766 indicator 5.1): administrative rules,
    -- policies and procedures, or the conduct of officials.
    topic              text CHECK (topic IN ('rules', 'conduct')),
    is_public          boolean NOT NULL,
    state              text NOT NULL CHECK (state IN ('received', 'forwarded', 'in_progress',
                           'info_requested', 'answered', 'published', 'refused', 'withdrawn')),
    received_at        timestamptz NOT NULL,
    classify_due_at    timestamptz,
    forwarded_at       timestamptz,
    refuse_due_at      timestamptz,
    info_due_at        timestamptz,
    handle_due_at      timestamptz,
    info_requested_at  timestamptz,
    info_request       text,
    answer             text,
    answered_at        timestamptz,
    answered_by        bigint REFERENCES staff_accounts (id),
    publish_due_at     timestamptz,
    refuse_reason      text,
    closed_at          timestamptz,
    -- What the public sees once published: personal data masked.
    public_subject     text,
    public_body        text,
    public_answer      text,
    masked             jsonb,
    search_doc         text,
    published_at       timestamptz,
    -- Hook for the SMS outbox: true while an "answer published" text is owed to the submitter.
    answer_notice_pending boolean NOT NULL DEFAULT false,
    helpful_votes      integer NOT NULL DEFAULT 0,
    unhelpful_votes    integer NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT intake_feedback_identifies CHECK (kind <> 'feedback' OR
        (submitter_name IS NOT NULL AND submitter_address IS NOT NULL AND submitter_phone IS NOT NULL)),
    CONSTRAINT intake_question_reachable CHECK (submitter_phone IS NOT NULL OR submitter_email IS NOT NULL),
    CONSTRAINT intake_private_has_phone CHECK (is_public OR submitter_phone IS NOT NULL)
);
CREATE INDEX intake_items_agency_state_idx ON intake_items (agency_code, state);
CREATE INDEX intake_items_state_idx ON intake_items (state, received_at);
CREATE INDEX intake_items_published_idx ON intake_items (published_at DESC) WHERE state = 'published';
CREATE TRIGGER intake_items_touch BEFORE UPDATE ON intake_items
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

-- Every transition, with who and when. Append-only: updates and deletes are refused.
CREATE TABLE intake_history (
    id            bigserial PRIMARY KEY,
    item_id       bigint NOT NULL REFERENCES intake_items (id),
    at            timestamptz NOT NULL DEFAULT now(),
    action        text NOT NULL,
    from_state    text,
    to_state      text NOT NULL,
    actor_kind    text NOT NULL CHECK (actor_kind IN ('citizen', 'staff', 'system')),
    actor_id      bigint REFERENCES staff_accounts (id),
    actor_label   text NOT NULL,
    agency_code   text,
    note          text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX intake_history_item_idx ON intake_history (item_id, id);
CREATE FUNCTION tracuu_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'intake_history is append-only';
END $$;
CREATE TRIGGER intake_history_append_only BEFORE UPDATE OR DELETE ON intake_history
    FOR EACH ROW EXECUTE FUNCTION tracuu_refuse_change();

-- One helpfulness vote per published item per voter (a device or a phone, stored as a hash).
CREATE TABLE intake_votes (
    item_id     bigint NOT NULL REFERENCES intake_items (id),
    voter_hash  bytea NOT NULL,
    helpful     boolean NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (item_id, voter_hash)
);
