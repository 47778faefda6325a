-- Per organisation: months covered, lines, pounds, rejects and files loaded.
WITH spend AS (
    SELECT organisation,
        count(*) AS spend_lines,
        sum(amount) AS amount,
        min(payment_date) AS first_date,
        max(payment_date) AS last_date,
        count(DISTINCT strftime(payment_date, '%Y-%m')) AS months,
        count(*) FILTER (WHERE is_redacted) AS redacted_lines,
        count(*) FILTER (WHERE is_negative) AS negative_lines,
        count(DISTINCT source_file) AS spend_files
    FROM spend_lines GROUP BY organisation
),
rej AS (
    SELECT organisation, count(*) AS rejects, sum(coalesce(amount, 0)) AS amount_rejected
    FROM rejects GROUP BY organisation
),
con AS (
    SELECT organisation, count(*) AS contracts FROM contracts GROUP BY organisation
)
SELECT o.org_id AS organisation, o.name,
    coalesce(s.months, 0) AS months, s.first_date, s.last_date,
    coalesce(s.spend_lines, 0) AS spend_lines, coalesce(s.amount, 0) AS amount,
    coalesce(s.redacted_lines, 0) AS redacted_lines, coalesce(s.negative_lines, 0) AS negative_lines,
    coalesce(r.rejects, 0) AS rejects, coalesce(r.amount_rejected, 0) AS amount_rejected,
    coalesce(s.spend_files, 0) AS spend_files, coalesce(c.contracts, 0) AS contracts
FROM organisations o
LEFT JOIN spend s ON s.organisation = o.org_id
LEFT JOIN rej r ON r.organisation = o.org_id
LEFT JOIN con c ON c.organisation = o.org_id
WHERE s.organisation IS NOT NULL OR r.organisation IS NOT NULL OR c.organisation IS NOT NULL
ORDER BY o.org_id;
