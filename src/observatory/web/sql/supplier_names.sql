-- Supplier directory on published names (before supplier resolution): names equal once case,
-- spacing and surrounding blanks are ignored are one supplier; redacted payees are left out.
-- The key is stable for a name across loads, so links keep working.
SELECT 'n-' || left(md5(name_key), 16) AS supplier_key,
    mode(supplier_name) AS name,
    count(DISTINCT supplier_name) AS spellings,
    count(DISTINCT organisation) AS members,
    list(DISTINCT organisation ORDER BY organisation) AS member_ids,
    count(*) AS spend_lines,
    sum(amount) AS amount,
    min(payment_date) AS first_date,
    max(payment_date) AS last_date
FROM (
    SELECT organisation, supplier_name, amount, payment_date,
        upper(regexp_replace(trim(supplier_name), '\s+', ' ', 'g')) AS name_key
    FROM spend_lines
    WHERE NOT is_redacted AND supplier_name IS NOT NULL AND trim(supplier_name) <> ''
)
GROUP BY name_key
