-- Receipt of a staged register: rows and pounds (total contract value, or annual where no total).
SELECT
    count(*) AS rows_read,
    count(*) FILTER (WHERE n.line IS NOT NULL AND NOT n.is_duplicate) AS rows_loaded,
    count(*) FILTER (WHERE s.reason IS NOT NULL) AS rows_rejected,
    count(*) FILTER (WHERE n.is_duplicate) AS rows_duplicate,
    coalesce(sum(coalesce(s.total_value, s.annual_value)), 0) AS amount_read,
    coalesce(sum(coalesce(s.total_value, s.annual_value))
        FILTER (WHERE n.line IS NOT NULL AND NOT n.is_duplicate), 0) AS amount_loaded,
    coalesce(sum(coalesce(s.total_value, s.annual_value)) FILTER (WHERE s.reason IS NOT NULL), 0)
        AS amount_rejected,
    coalesce(sum(coalesce(s.total_value, s.annual_value)) FILTER (WHERE n.is_duplicate), 0)
        AS amount_duplicate
FROM register_staged s LEFT JOIN register_new n USING (line);
