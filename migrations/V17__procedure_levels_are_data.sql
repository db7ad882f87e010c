-- Levels are data for procedures too (expand step): a procedure's level is a row of agency_levels
-- (migration V13) instead of the fixed list department, district, commune of V9, so a procedure
-- settled at a level added later (or at the province) can be stored. The catalog feed checks the
-- level against the table and reports an unknown one by item; the foreign key is the database's
-- own guarantee. Old code writes only department, district or commune, which all have rows.
ALTER TABLE procedures
    DROP CONSTRAINT procedures_level_check,
    ADD CONSTRAINT procedures_level_fkey FOREIGN KEY (level) REFERENCES agency_levels (code);
