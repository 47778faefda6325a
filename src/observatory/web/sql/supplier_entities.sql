-- Supplier directory on resolved suppliers: one row per supplier_id that resolution assigned.
SELECT supplier_id AS supplier_key,
    mode(supplier_name) AS name,
    count(DISTINCT supplier_name) AS spellings,
    count(DISTINCT organisation) AS members,
    list(DISTINCT organisation ORDER BY organisation) AS member_ids,
    count(*) AS spend_lines,
    sum(amount) AS amount,
    min(payment_date) AS first_date,
    max(payment_date) AS last_date
FROM spend_lines
WHERE supplier_id IS NOT NULL AND NOT is_redacted
GROUP BY supplier_id
