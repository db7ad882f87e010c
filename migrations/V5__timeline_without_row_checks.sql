-- The timeline is written by one code path only (the sync batch), in the same transaction as its
-- dossier, after every agency code was checked against the catalog. Per-row foreign-key checks on
-- the ~6 events of every dossier made them the largest cost of ingest (bench/sync.sh: 58% of the
-- statement time), so the read model keeps these references by construction instead. Whoever
-- deletes a dossier deletes its timeline in the same statement batch.
ALTER TABLE dossier_events
    DROP CONSTRAINT dossier_events_dossier_code_fkey,
    DROP CONSTRAINT dossier_events_agency_code_fkey;
