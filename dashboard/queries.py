"""The dashboard's own SQL, in one place. Indicator rules live in pipelines (the engine), not here.

Parameters are positional ($1, $2, ...). ``SCOPE`` filters a record alias ``r`` joined to
``admin_units u`` by the chosen district ($3) and commune ($4); NULL means all. Queries run in the
pages' administrative structure (``data.sql``): unqualified record tables and ``admin_units`` are
that structure's views; ``main.`` names every record whatever its structure.
"""

SCOPE = "($3::VARCHAR IS NULL OR u.district_code = $3) AND ($4::VARCHAR IS NULL OR u.commune_code = $4)"

DATE_RANGE = """
SELECT min(d) AS first, max(d) AS last FROM (
  SELECT received_date AS d FROM main.dossiers UNION ALL SELECT completed_date FROM main.dossiers
  UNION ALL SELECT sent_date FROM main.letters UNION ALL SELECT received_date FROM main.petitions
  UNION ALL SELECT dialogue_date FROM main.dialogues UNION ALL SELECT survey_date FROM main.surveys)
"""

RECORD_COUNTS = """
SELECT (SELECT count(*) FROM main.dossiers) AS dossiers, (SELECT count(*) FROM main.letters) AS letters,
       (SELECT count(*) FROM main.petitions) AS petitions, (SELECT count(*) FROM main.dialogues) AS dialogues,
       (SELECT count(*) FROM main.surveys) AS surveys
"""

UNITS = """
SELECT commune_code, commune_name, district_code, district_name, province_name, latitude, longitude
FROM admin_units ORDER BY district_code, commune_code
"""

# Below: $1 date_from, $2 date_to, $3 district, $4 commune, $5 as_of.
# (Petitions by kind/outcome/timeliness come from the engine: pipelines.indicators.petition_breakdown.)
DIALOGUES = f"""
SELECT count(*) AS dialogues, sum(r.attendees) AS attendees, sum(r.opinions_raised) AS raised,
       sum(r.opinions_answered) AS answered, count(*) FILTER (WHERE r.chair_is_head) AS chaired_by_head,
       count(DISTINCT r.commune_code) AS communes
FROM dialogues r JOIN admin_units u USING (commune_code)
WHERE r.dialogue_date BETWEEN $1 AND $2 AND {SCOPE}
"""

DIALOGUE_LIST = f"""
SELECT r.dialogue_date, u.commune_name, u.district_name, r.chair, r.topic, r.attendees,
       r.opinions_raised, r.opinions_answered
FROM dialogues r JOIN admin_units u USING (commune_code)
WHERE r.dialogue_date BETWEEN $1 AND $2 AND {SCOPE}
ORDER BY r.dialogue_date DESC
"""

LETTERS_BY_KIND = f"""
SELECT r.kind, count(*) AS n, count(DISTINCT r.commune_code) AS communes
FROM letters r JOIN admin_units u USING (commune_code)
WHERE r.sent_date BETWEEN $1 AND $2 AND {SCOPE}
GROUP BY ALL ORDER BY n DESC
"""

FRESHNESS = """
WITH latest AS (
  SELECT commune_code, 'dossier' AS kind, max(greatest(received_date, completed_date)) AS last FROM dossiers GROUP BY 1
  UNION ALL SELECT commune_code, 'letter', max(sent_date) FROM letters GROUP BY 1
  UNION ALL SELECT commune_code, 'petition', max(received_date) FROM petitions GROUP BY 1
  UNION ALL SELECT commune_code, 'dialogue', max(dialogue_date) FROM dialogues GROUP BY 1
  UNION ALL SELECT commune_code, 'survey', max(survey_date) FROM surveys GROUP BY 1)
SELECT u.commune_code, u.commune_name, u.district_name,
       max(last) FILTER (WHERE kind = 'dossier') AS dossier, max(last) FILTER (WHERE kind = 'letter') AS letter,
       max(last) FILTER (WHERE kind = 'petition') AS petition, max(last) FILTER (WHERE kind = 'dialogue') AS dialogue,
       max(last) FILTER (WHERE kind = 'survey') AS survey, max(last) AS latest
FROM admin_units u LEFT JOIN latest l USING (commune_code)
WHERE ($1::VARCHAR IS NULL OR u.district_code = $1) AND ($2::VARCHAR IS NULL OR u.commune_code = $2)
GROUP BY ALL ORDER BY latest NULLS FIRST, u.commune_code
"""

INGEST_LOG = """
SELECT file_name, sheet, kind, communes, unit_era, rows_read, rows_inserted, rows_updated, rows_unchanged,
       rows_quarantined, unknown_columns, message, ingested_at::DATE AS ingested_on
FROM main.ingest_log ORDER BY ingested_at DESC, file_name LIMIT 2000
"""

QUARANTINE = """
SELECT q.file_name, q.sheet, q.row_number, q.kind,
       coalesce(CASE q.unit_era WHEN 'legacy' THEN l.commune_name ELSE n.commune_name END, q.commune_code) AS commune,
       q.record_id, q.message_vi, q.quarantined_at::DATE AS quarantined_on
FROM main.quarantine q
LEFT JOIN main.units_legacy l ON q.unit_era = 'legacy' AND l.commune_code = q.commune_code
LEFT JOIN main.units_2025 n ON q.unit_era = '2025' AND n.commune_code = q.commune_code
ORDER BY q.quarantined_at DESC, q.file_name, q.row_number LIMIT 5000
"""

QUARANTINE_COUNT = "SELECT count(*) AS n FROM main.quarantine"

# $1: a 2025 commune. Its predecessors; a split legacy commune counts in part (is_default false
# means its records roll up to another successor).
PREDECESSORS = """
SELECT l.commune_code, l.commune_name, l.district_name, s.is_default,
       (SELECT count(*) FROM unit_successors o WHERE o.legacy_code = s.legacy_code) > 1 AS split
FROM main.unit_successors s JOIN main.units_legacy l ON l.commune_code = s.legacy_code
WHERE s.code_2025 = $1 ORDER BY l.district_code, l.commune_code
"""

# Drill-down fallback while the engine has no indicator_records: the records of the kind behind an
# indicator, in the period, for a unit ($3 = commune or district code, $4 = as_of).
_UNIT = "(u.commune_code = $3 OR u.district_code = $3 OR u.province_code = $3)"
DRILL = {
    "dialogue": f"SELECT r.*, u.commune_name FROM dialogues r JOIN admin_units u USING (commune_code) "
                f"WHERE r.dialogue_date BETWEEN $1 AND $2 AND {_UNIT} ORDER BY r.dialogue_date",
    "petition": f"SELECT r.*, u.commune_name FROM petitions r JOIN admin_units u USING (commune_code) "
                f"WHERE r.received_date BETWEEN $1 AND $2 AND {_UNIT} ORDER BY r.received_date",
    "late": f"SELECT r.*, u.commune_name FROM dossiers r JOIN admin_units u USING (commune_code) "
            f"WHERE {_UNIT} AND ((r.timeliness = 'late' AND r.completed_date BETWEEN $1 AND $2) "
            f"OR (r.status = 'pending' AND r.due_date < $4)) ORDER BY r.due_date",
    "thanks": f"SELECT r.*, u.commune_name FROM letters r JOIN admin_units u USING (commune_code) "
              f"WHERE r.kind = 'thanks' AND r.sent_date BETWEEN $1 AND $2 AND {_UNIT} ORDER BY r.sent_date",
    "completed": f"SELECT r.*, u.commune_name FROM dossiers r JOIN admin_units u USING (commune_code) "
                 f"WHERE r.status = 'completed' AND r.completed_date BETWEEN $1 AND $2 AND {_UNIT} "
                 f"ORDER BY r.completed_date",
    "survey": f"SELECT r.*, u.commune_name FROM surveys r JOIN admin_units u USING (commune_code) "
              f"WHERE r.survey_date BETWEEN $1 AND $2 AND {_UNIT} ORDER BY r.survey_date",
}
DRILL_KIND = {"biet_nghe": "dialogue", "biet_noi": "dialogue", "biet_lam": "petition", "khong_ne_tranh": "petition",
              "biet_xin_loi": "late", "biet_cam_on": "thanks", "khong_phien_ha": "completed",
              "khong_tre_hen": "completed", "hai_long": "survey", "the_hien_ton_trong": "survey",
              "the_hien_van_minh": "survey", "the_hien_lang_nghe": "survey", "the_hien_gan_gui": "survey"}
RECORD_KIND = {"dialogue": "dialogue", "petition": "petition", "late": "dossier", "thanks": "letter",
               "completed": "dossier", "survey": "survey"}
