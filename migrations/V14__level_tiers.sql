-- The province as it is since 1 July 2025 (expand step, continued): each level says which tier of
-- local government it belongs to, so code asks "is this a commune-tier agency?" instead of naming
-- level codes.
--
-- * tier 'province': the provincial UBND and its departments (and the public administrative
--   service centre among them). They serve the whole province.
-- * tier 'local': commune, ward and special zone today, and the historical district. They serve a
--   part of the province; a citizen browses and routes to them by place.
--
-- Old code ignores the column.

ALTER TABLE agency_levels
    ADD COLUMN tier text NOT NULL DEFAULT 'local' CHECK (tier IN ('province', 'local'));

UPDATE agency_levels SET tier = 'province' WHERE code IN ('province', 'department');
