-- Honest status words (issue 21; docs/decisions/0057-honest-words-for-every-status.md): while a
-- dossier waits for the citizen, the detailed view says what to pay, where, and by when. The main
-- store may now send these three optional snapshot fields (docs/channels/sync.md); they are kept
-- here as they came.
--
-- Expand only: three nullable columns, which old binaries neither write nor read. Views stored by
-- older binaries lack the reason and the fee; the new code renders such a view again when it
-- reads it (it recognises the older shape), so no data is changed here.

ALTER TABLE dossiers
    ADD COLUMN fee_amount_vnd    bigint CHECK (fee_amount_vnd >= 0),
    ADD COLUMN fee_payment_place text,
    ADD COLUMN citizen_due_at    timestamptz;
