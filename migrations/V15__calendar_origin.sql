-- The working calendar belongs to the province (issue 20), expand step: every exception says
-- whether it is an estimate and where it comes from, and who last set it, so tracuu can bring its
-- seeded table up to date without overwriting what an administrator changed.
--
-- * calendar_days.estimate: the day is an expectation (a year the government has not announced).
-- * calendar_days.source: the notice or rule the day comes from (free text).
-- * calendar_days.origin: 'seed' (tracuu's built-in table, which a newer tracuu may update or
--   remove), 'administrator' (set in the console, or by hand before the console existed) or
--   'import' (a CSV file). Only 'seed' rows are ever touched by seeding.
-- * calendar_days.changed_by: who set it last (a staff member's label), for the console's list.
-- * calendar_days_removed: a day whose exception was deleted. Seeding never brings back a day
--   listed here; a trigger fills it on every delete, whoever deletes.
-- * audit_log.action gains calendar_change and calendar_import.
-- * hotline_calls.entry_due_at: the deadline to enter what a caller said, stored when the call
--   starts so that a later calendar edit does not move it (NULL for calls started before).
--
-- Old code ignores the new columns and table; rows it inserts get origin 'seed', which is what its
-- only insert (the seeding) means.

ALTER TABLE calendar_days
    ADD COLUMN estimate   boolean NOT NULL DEFAULT false,
    ADD COLUMN source     text CHECK (source IS NULL OR length(source) BETWEEN 1 AND 500),
    ADD COLUMN origin     text NOT NULL DEFAULT 'seed'
                          CHECK (origin IN ('seed', 'administrator', 'import')),
    ADD COLUMN changed_by text CHECK (changed_by IS NULL OR length(changed_by) BETWEEN 1 AND 300);

CREATE TABLE calendar_days_removed (
    day         date PRIMARY KEY,
    removed_at  timestamptz NOT NULL DEFAULT now(),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER calendar_days_removed_touch BEFORE UPDATE ON calendar_days_removed
    FOR EACH ROW EXECUTE FUNCTION tracuu_touch_updated_at();

CREATE FUNCTION tracuu_remember_removed_calendar_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO calendar_days_removed (day) VALUES (OLD.day)
        ON CONFLICT (day) DO UPDATE SET removed_at = now();
    RETURN OLD;
END $$;
CREATE TRIGGER calendar_days_remember_removed AFTER DELETE ON calendar_days
    FOR EACH ROW EXECUTE FUNCTION tracuu_remember_removed_calendar_day();

-- The table tracuu seeded before this migration (once per installation, the fact
-- 'calendar_seeded'), exactly as it wrote it.
CREATE TEMPORARY TABLE calendar_seed_v1 (day date PRIMARY KEY, kind text, name text);
INSERT INTO calendar_seed_v1 (day, kind, name) VALUES
    ('2025-01-01'::date, 'holiday', 'Tết Dương lịch 2025'),
    ('2025-01-27'::date, 'holiday', 'Tết Nguyên đán Ất Tỵ 2025'),
    ('2025-01-28'::date, 'holiday', 'Tết Nguyên đán Ất Tỵ 2025'),
    ('2025-01-29'::date, 'holiday', 'Tết Nguyên đán Ất Tỵ 2025'),
    ('2025-01-30'::date, 'holiday', 'Tết Nguyên đán Ất Tỵ 2025'),
    ('2025-01-31'::date, 'holiday', 'Tết Nguyên đán Ất Tỵ 2025'),
    ('2025-02-08'::date, 'working', 'Làm bù ngày nghỉ Tết Nguyên đán 27/01/2025'),
    ('2025-04-07'::date, 'holiday', 'Giỗ Tổ Hùng Vương 2025 (10/3 âm lịch)'),
    ('2025-04-26'::date, 'working', 'Làm bù ngày nghỉ 02/05/2025'),
    ('2025-04-30'::date, 'holiday', 'Ngày Chiến thắng 30/4/2025'),
    ('2025-05-01'::date, 'holiday', 'Ngày Quốc tế Lao động 1/5/2025'),
    ('2025-05-02'::date, 'holiday', 'Nghỉ hoán đổi dịp 30/4–1/5/2025 (làm bù thứ Bảy 26/04)'),
    ('2025-09-01'::date, 'holiday', 'Quốc khánh 2025 (ngày liền kề)'),
    ('2025-09-02'::date, 'holiday', 'Quốc khánh 2/9/2025'),
    ('2026-01-01'::date, 'holiday', 'Tết Dương lịch 2026'),
    ('2026-02-16'::date, 'holiday', 'Tết Nguyên đán Bính Ngọ 2026'),
    ('2026-02-17'::date, 'holiday', 'Tết Nguyên đán Bính Ngọ 2026'),
    ('2026-02-18'::date, 'holiday', 'Tết Nguyên đán Bính Ngọ 2026'),
    ('2026-02-19'::date, 'holiday', 'Tết Nguyên đán Bính Ngọ 2026'),
    ('2026-02-20'::date, 'holiday', 'Tết Nguyên đán Bính Ngọ 2026'),
    ('2026-04-27'::date, 'holiday', 'Nghỉ bù Giỗ Tổ Hùng Vương 2026 (26/4 là Chủ nhật)'),
    ('2026-04-30'::date, 'holiday', 'Ngày Chiến thắng 30/4/2026'),
    ('2026-05-01'::date, 'holiday', 'Ngày Quốc tế Lao động 1/5/2026'),
    ('2026-09-01'::date, 'holiday', 'Quốc khánh 2026, ngày liền kề (dự kiến)'),
    ('2026-09-02'::date, 'holiday', 'Quốc khánh 2/9/2026'),
    ('2027-01-01'::date, 'holiday', 'Tết Dương lịch 2027 (dự kiến)'),
    ('2027-02-05'::date, 'holiday', 'Tết Nguyên đán Đinh Mùi 2027 (dự kiến)'),
    ('2027-02-08'::date, 'holiday', 'Tết Nguyên đán Đinh Mùi 2027 (dự kiến)'),
    ('2027-02-09'::date, 'holiday', 'Tết Nguyên đán Đinh Mùi 2027 (dự kiến)'),
    ('2027-02-10'::date, 'holiday', 'Nghỉ bù Tết Nguyên đán Đinh Mùi 2027 (dự kiến)'),
    ('2027-04-16'::date, 'holiday', 'Giỗ Tổ Hùng Vương 2027 (dự kiến)'),
    ('2027-04-30'::date, 'holiday', 'Ngày Chiến thắng 30/4/2027 (dự kiến)'),
    ('2027-05-03'::date, 'holiday', 'Nghỉ bù Ngày Quốc tế Lao động 2027, 1/5 là thứ Bảy (dự kiến)'),
    ('2027-09-02'::date, 'holiday', 'Quốc khánh 2/9/2027 (dự kiến)'),
    ('2027-09-03'::date, 'holiday', 'Quốc khánh 2027, ngày liền kề (dự kiến)');

-- A row that differs from what the seeding wrote was changed by hand: an administrator's.
UPDATE calendar_days c SET origin = 'administrator'
 WHERE NOT EXISTS (SELECT 1 FROM calendar_seed_v1 s
                    WHERE s.day = c.day AND s.kind = c.kind AND s.name = c.name);

-- A seeded day missing from an installation that was seeded was deleted by hand: remember it.
INSERT INTO calendar_days_removed (day)
SELECT s.day FROM calendar_seed_v1 s
 WHERE EXISTS (SELECT 1 FROM installation WHERE key = 'calendar_seeded')
   AND NOT EXISTS (SELECT 1 FROM calendar_days c WHERE c.day = s.day);

DROP TABLE calendar_seed_v1;

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN
    ('phone_search', 'dossier_view', 'intake_item_view', 'sms_to_caller', 'audit_export',
     'calendar_change', 'calendar_import'));

ALTER TABLE hotline_calls ADD COLUMN entry_due_at timestamptz;
