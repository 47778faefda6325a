-- Data-quality figures per member for the overview (docs/methods/data-quality.md says why each).
WITH lines AS (
    SELECT organisation,
        count(*) AS spend_lines,
        sum(amount) AS amount,
        min(payment_date) AS first_date,
        max(payment_date) AS last_date,
        count(DISTINCT date_trunc('month', payment_date)) AS months,
        count(*) FILTER (WHERE is_redacted) AS redacted_lines,
        coalesce(sum(amount) FILTER (WHERE is_redacted), 0) AS redacted_amount,
        count(*) FILTER (WHERE is_negative) AS negative_lines,
        coalesce(sum(amount) FILTER (WHERE is_negative), 0) AS negative_amount,
        count(*) FILTER (WHERE supplier_company_number IS NOT NULL
            OR supplier_charity_number IS NOT NULL
            OR supplier_vat_number IS NOT NULL) AS identified_lines,
        count(*) FILTER (WHERE coalesce(category_code, proclass_code) IS NOT NULL)
            AS categorised_lines,
        count(*) FILTER (WHERE supplier_id IS NOT NULL) AS resolved_lines,
        count(*) FILTER (WHERE amount_basis LIKE 'net%') AS net_lines
    FROM spend_lines
    GROUP BY organisation
),
receipts AS (
    SELECT organisation,
        count(*) AS files,
        sum(rows_read) AS rows_read,
        sum(rows_rejected) AS rows_rejected,
        sum(rows_duplicate) AS rows_duplicate,
        max(loaded_at) AS last_load
    FROM load_receipts
    WHERE kind = 'spend'
    GROUP BY organisation
)
SELECT l.organisation, o.name,
    l.spend_lines, l.amount, l.first_date, l.last_date, l.months,
    date_diff('month', date_trunc('month', l.first_date), date_trunc('month', l.last_date)) + 1
        - l.months AS gap_months,
    l.redacted_lines, l.redacted_amount, l.negative_lines, l.negative_amount,
    l.identified_lines, l.categorised_lines, l.resolved_lines, l.net_lines,
    coalesce(r.files, 0) AS files,
    coalesce(r.rows_read, 0) AS rows_read,
    coalesce(r.rows_rejected, 0) AS rows_rejected,
    coalesce(r.rows_duplicate, 0) AS rows_duplicate,
    r.last_load
FROM lines l
LEFT JOIN receipts r USING (organisation)
LEFT JOIN organisations o ON o.org_id = l.organisation
ORDER BY l.organisation;
