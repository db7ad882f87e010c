-- The pull query for the example source in deploy/pull/source-schema.sql
-- (TRACUU_SYNC__PULL__QUERY_FILE=deploy/pull/query.sql).
--
-- Contract (tracuu checks the shape when it connects and refuses a query that breaks it):
--   $1  text    the stored watermark (TRACUU_SYNC__PULL__INITIAL_WATERMARK before the first batch)
--   $2  bigint  the most rows to return (TRACUU_SYNC__PULL__BATCH_SIZE)
--   returns the changed dossiers after $1, in watermark order, one row per dossier, with columns
--   named exactly like the fields of a pushed snapshot (docs/api.md, "Sync push"; src/sync/snapshot.rs):
--     code, version, procedure_code, receiving_agency_code, handling_agency_code   text / bigint
--     channel, status, supplement_count, supplement_seconds                        integers
--     applicant_name, applicant_phone, supplement_request                          text
--     received_at, due_at, finished_at, returned_at, supplement_requested_at,
--     updated_at                                                                   timestamptz
--     events   json array of {"at", "status", "step", "agency_code", "note"}, in order
--   plus `watermark` (text): the value to store once this row is applied. It must be unique and
--   strictly increasing in the query's order, and `$1 = watermark of row N` must return exactly the
--   rows after row N. A NULL column counts as absent (optional fields take their default).
--   Every row goes through the same validation as a pushed snapshot; a row that fails it is logged
--   and skipped, the others of its batch are applied.
--
-- Watermark: the pair (ngay_cap_nhat, ma_ho_so), written as '<local time, microseconds>|<code>'.
--   Timestamps alone are not unique: a bulk update stamps many dossiers with the same
--   ngay_cap_nhat, and if such a group straddles a batch boundary, `ngay_cap_nhat > $1` would skip
--   the rest of the group, while `>=` would return the same rows forever once a group is larger
--   than a batch. Adding the code makes the key unique, so the row comparison below is exact
--   keyset pagination: no row skipped, none returned twice, and an index on
--   (ngay_cap_nhat, ma_ho_so) turns each batch into a range scan. The initial watermark
--   '1970-01-01T00:00:00Z' has no '|' part, so its code part is '' and every code sorts after it.
--
-- Settle delay: ngay_cap_nhat is written by transactions that commit later. A dossier changed by a
--   transaction still running when a batch is read would carry a time below a watermark stored
--   meanwhile and be skipped. So the query leaves out changes younger than 10 seconds; set it
--   above the longest write transaction of the source (and above any clock skew when the
--   application, not the database, sets ngay_cap_nhat), and set TRACUU_SYNC__PULL__SETTLE_SECS to
--   the same value. A transaction that takes longer is found by the pull's look-back
--   (TRACUU_SYNC__PULL__LATE_ROWS_LOOKBACK_SECS), which logs and counts it; `tracuu sync verify`
--   finds anything missed and `tracuu sync repair` applies it. The settle delay also holds back
--   each change by that much, which the sync-lag figures show.
--
-- Version: phien_ban, bumped by the source's trigger on every change of the dossier or its steps.
--   A source without such a counter can use the change time as the version, e.g.
--   (extract(epoch FROM h.ngay_cap_nhat) * 1000000)::bigint, provided it only ever increases.
--
-- Time: the source stores Vietnam local time in `timestamp` columns; AT TIME ZONE turns each into a
--   timestamptz. Columns holding personal data the lookup must not have (address, ID number,
--   e-mail, officer names) are simply not selected.
SELECT
    h.ma_ho_so                                               AS code,
    h.phien_ban                                              AS version,
    h.ma_thu_tuc                                             AS procedure_code,
    h.ma_don_vi_tiep_nhan                                    AS receiving_agency_code,
    h.ma_don_vi_xu_ly                                        AS handling_agency_code,
    h.kenh_thuc_hien                                         AS channel,
    h.trang_thai                                             AS status,
    h.ten_nguoi_nop                                          AS applicant_name,
    h.so_dien_thoai                                          AS applicant_phone,
    h.ngay_tiep_nhan AT TIME ZONE 'Asia/Ho_Chi_Minh'         AS received_at,
    h.ngay_hen_tra AT TIME ZONE 'Asia/Ho_Chi_Minh'           AS due_at,
    h.ngay_ket_thuc_xu_ly AT TIME ZONE 'Asia/Ho_Chi_Minh'    AS finished_at,
    h.ngay_tra_ket_qua AT TIME ZONE 'Asia/Ho_Chi_Minh'       AS returned_at,
    h.so_lan_bo_sung                                         AS supplement_count,
    h.ngay_yeu_cau_bo_sung AT TIME ZONE 'Asia/Ho_Chi_Minh'   AS supplement_requested_at,
    extract(epoch FROM h.thoi_gian_bo_sung)::bigint          AS supplement_seconds,
    h.noi_dung_yeu_cau_bo_sung                               AS supplement_request,
    h.ngay_cap_nhat AT TIME ZONE 'Asia/Ho_Chi_Minh'          AS updated_at,
    (SELECT coalesce(json_agg(json_build_object(
                'at', q.thoi_diem AT TIME ZONE 'Asia/Ho_Chi_Minh',
                'status', q.trang_thai,
                'step', q.ten_buoc,
                'agency_code', q.ma_don_vi,
                'note', q.ghi_chu) ORDER BY q.thu_tu), '[]'::json)
       FROM qua_trinh_xu_ly q
      WHERE q.ma_ho_so = h.ma_ho_so)                         AS events,
    to_char(h.ngay_cap_nhat, 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' || h.ma_ho_so
                                                             AS watermark
FROM ho_so h
WHERE (h.ngay_cap_nhat, h.ma_ho_so) > (split_part($1, '|', 1)::timestamp, split_part($1, '|', 2))
  AND h.ngay_cap_nhat < (now() AT TIME ZONE 'Asia/Ho_Chi_Minh') - interval '10 seconds'
ORDER BY h.ngay_cap_nhat, h.ma_ho_so
LIMIT $2
