-- An example source for `tracuu sync pull`: the two tables a typical provincial one-stop system
-- (hệ thống thông tin giải quyết thủ tục hành chính, Bộ phận Một cửa) keeps for dossiers, reduced to
-- what the lookup needs plus a few columns that must NOT leave the source (address, ID number,
-- e-mail). Real systems name things differently; deploy/pull/query.sql is the one place that maps
-- them onto tracuu's snapshot fields, so only the query changes per installation.
--
-- Like most such systems it stores local time (giờ Việt Nam, UTC+7, no daylight saving) in
-- `timestamp without time zone` columns; the query converts to UTC-aware values. Times the
-- database fills in itself are computed in Vietnam time whatever the session's TimeZone is.
--
-- Two additions a source DBA makes for tracuu (both cheap, neither changes how the system works):
--   * `phien_ban`, a per-dossier change counter bumped by a trigger on every change of the dossier
--     or of its processing steps; tracuu ignores a snapshot whose version is not newer than the one
--     it holds, so replays and overlapping pulls are harmless;
--   * an index on (ngay_cap_nhat, ma_ho_so), the pull's watermark, so each batch is a range scan.

CREATE TABLE ho_so (
    ma_ho_so                  text PRIMARY KEY,          -- as printed on the receipt: 000.00.16.H48-261116-0501
    ma_thu_tuc                text NOT NULL,             -- national (1.001193) or local procedure code
    ma_don_vi_tiep_nhan       text NOT NULL,             -- receiving agency (QĐ 20/2020 code)
    ma_don_vi_xu_ly           text NOT NULL,             -- agency currently handling the dossier
    kenh_thuc_hien            smallint NOT NULL,         -- 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích
    trang_thai                smallint NOT NULL,         -- national sync status 1–10
    ten_nguoi_nop             text NOT NULL,
    so_dien_thoai             text,
    email                     text,                      -- not pulled
    dia_chi                   text,                      -- not pulled
    so_giay_to_tuy_than       text,                      -- CCCD; not pulled
    ngay_tiep_nhan            timestamp NOT NULL,        -- local time, like every time below
    ngay_hen_tra              timestamp,
    ngay_ket_thuc_xu_ly       timestamp,
    ngay_tra_ket_qua          timestamp,
    so_lan_bo_sung            integer NOT NULL DEFAULT 0,
    ngay_yeu_cau_bo_sung      timestamp,
    thoi_gian_bo_sung         interval NOT NULL DEFAULT '0',   -- time the citizen spent supplementing
    noi_dung_yeu_cau_bo_sung  text,
    phien_ban                 bigint NOT NULL DEFAULT 1,
    ngay_tao                  timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'Asia/Ho_Chi_Minh'),
    ngay_cap_nhat             timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')
);
CREATE INDEX ho_so_thay_doi_idx ON ho_so (ngay_cap_nhat, ma_ho_so);

-- The processing history (quá trình xử lý): one row per step, in order.
CREATE TABLE qua_trinh_xu_ly (
    id          bigserial PRIMARY KEY,
    ma_ho_so    text NOT NULL REFERENCES ho_so (ma_ho_so) ON DELETE CASCADE,
    thu_tu      integer NOT NULL,
    thoi_diem   timestamp NOT NULL,
    trang_thai  smallint NOT NULL,
    ten_buoc    text NOT NULL,                            -- e.g. "Tiếp nhận hồ sơ", "Chuyển phòng chuyên môn"
    ma_don_vi   text,
    nguoi_xu_ly text,                                     -- officer's name; not pulled (steps name agencies)
    ghi_chu     text,
    UNIQUE (ma_ho_so, thu_tu)
);

-- Every change of a dossier bumps its version. When the application forgot to set ngay_cap_nhat,
-- the trigger does, so the change still moves past the pull's watermark.
CREATE FUNCTION ho_so_thay_doi() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.phien_ban := OLD.phien_ban + 1;
    IF NEW.ngay_cap_nhat IS NOT DISTINCT FROM OLD.ngay_cap_nhat THEN
        NEW.ngay_cap_nhat := now() AT TIME ZONE 'Asia/Ho_Chi_Minh';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ho_so_thay_doi BEFORE UPDATE ON ho_so
    FOR EACH ROW EXECUTE FUNCTION ho_so_thay_doi();

-- A new, changed or removed step is a change of its dossier (the timeline is part of the snapshot).
CREATE FUNCTION qua_trinh_xu_ly_thay_doi() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ho_so SET ngay_cap_nhat = now() AT TIME ZONE 'Asia/Ho_Chi_Minh'
     WHERE ma_ho_so IN (CASE WHEN TG_OP = 'DELETE' THEN OLD.ma_ho_so ELSE NEW.ma_ho_so END,
                        CASE WHEN TG_OP = 'UPDATE' THEN OLD.ma_ho_so END);
    RETURN NULL;
END $$;
CREATE TRIGGER qua_trinh_xu_ly_thay_doi AFTER INSERT OR UPDATE OR DELETE ON qua_trinh_xu_ly
    FOR EACH ROW EXECUTE FUNCTION qua_trinh_xu_ly_thay_doi();
