-- Old dossiers answer with today's facts (issue 20; docs/decisions/0053-old-dossiers-answer-with-todays-facts.md):
-- a dossier view now names who serves a closed agency's dossiers (its living successors). Views
-- stored before that change, for dossiers whose receiving or handling agency has a closing date,
-- do not; they are dropped here so the next lookup (or `tracuu` warm-up) renders them again.
-- Views of dossiers of open agencies are unchanged by the new code and stay.
--
-- Data only, no schema change: old binaries keep running (they render such a view again without
-- the successors; the next catalog change of that agency renders it anew).

DELETE FROM dossier_views v
 USING dossiers d
  JOIN agencies ra ON ra.code = d.receiving_agency_code
  JOIN agencies ha ON ha.code = d.handling_agency_code
 WHERE v.code = d.code
   AND (ra.valid_until IS NOT NULL OR ha.valid_until IS NOT NULL);
