-- Counts and pounds for the receipt of the staged file (read = loaded + rejected + duplicate).
SELECT
    count(*) AS rows_read,
    count(*) FILTER (WHERE k.line IS NOT NULL AND NOT k.is_duplicate) AS rows_loaded,
    count(*) FILTER (WHERE s.reason IS NOT NULL) AS rows_rejected,
    count(*) FILTER (WHERE k.is_duplicate) AS rows_duplicate,
    coalesce(sum(s.amount), 0) AS amount_read,
    coalesce(sum(s.amount) FILTER (WHERE k.line IS NOT NULL AND NOT k.is_duplicate), 0) AS amount_loaded,
    coalesce(sum(s.amount) FILTER (WHERE s.reason IS NOT NULL), 0) AS amount_rejected,
    coalesce(sum(s.amount) FILTER (WHERE k.is_duplicate), 0) AS amount_duplicate
FROM staged s
LEFT JOIN keyed k ON k.sheet = s.sheet AND k.line = s.line;
