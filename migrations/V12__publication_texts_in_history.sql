-- Publication with the officer's approval (issue 19): the officer sees the machine-masked text
-- before publishing and may edit it; what is published is what the officer approved. The publish
-- row of an item's history keeps both texts, each {"subject", "question", "answer"}. Nullable
-- columns only (expand): rows written before, and other actions, have neither.
ALTER TABLE intake_history
    ADD COLUMN machine_text  jsonb,
    ADD COLUMN approved_text jsonb,
    ADD CONSTRAINT intake_history_publication_pair
        CHECK ((machine_text IS NULL) = (approved_text IS NULL)),
    ADD CONSTRAINT intake_history_publication_on_publish
        CHECK (machine_text IS NULL OR action = 'publish');
