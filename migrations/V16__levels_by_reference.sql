-- The province as it is since 1 July 2025 (contract step of V13): the CHECK lists that named the
-- levels of government in the procedures, the routing rules and the questions and feedback give
-- way to a foreign key to agency_levels, so a level is added by a row and the historical district
-- stays valid for the rows of before the reform. And routing follows the citizen: an item records
-- the commune (xã, phường, đặc khu) its submitter chose, and may be routed there.
--
-- * procedures.level (V9: department, district, commune), procedure_routes.level and
--   intake_items.level (V7: province, district, commune): every value those lists allowed is a row
--   of agency_levels (V13), so no stored row is touched and none can be refused.
-- * intake_items.routed_by gains 'commune': routed to the commune the submitter chose.
-- * intake_items.commune_code: the commune the submitter chose (a living local-tier agency when
--   chosen; kept as it was when that agency closes later).
--
-- Binaries of before this step keep running: they write only levels that are rows, routed_by
-- values still allowed, and ignore the new column.

ALTER TABLE procedures
    DROP CONSTRAINT procedures_level_check,
    ADD CONSTRAINT procedures_level_fkey FOREIGN KEY (level) REFERENCES agency_levels (code);

ALTER TABLE procedure_routes
    DROP CONSTRAINT procedure_routes_level_check,
    ADD CONSTRAINT procedure_routes_level_fkey FOREIGN KEY (level) REFERENCES agency_levels (code);

ALTER TABLE intake_items
    DROP CONSTRAINT intake_items_level_check,
    ADD CONSTRAINT intake_items_level_fkey FOREIGN KEY (level) REFERENCES agency_levels (code),
    DROP CONSTRAINT intake_items_routed_by_check,
    ADD CONSTRAINT intake_items_routed_by_check
        CHECK (routed_by IN ('explicit', 'dossier', 'procedure', 'desk', 'commune')),
    ADD COLUMN commune_code text REFERENCES agencies (code);
