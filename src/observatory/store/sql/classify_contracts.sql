-- Contracts and notices as the classifier sees them: title and description as the purpose, the
-- department as the service area, the first named supplier, and the value's band.
CREATE OR REPLACE TEMP TABLE classify_contracts AS
WITH firsts AS (
    SELECT contract_key, arg_min(supplier_id, supplier_name) AS supplier_id,
           min(supplier_name) AS supplier_name
    FROM contract_suppliers GROUP BY ALL
), published AS (
    -- a ProClass code is six digits (Salford's register has a date and a 7-digit number too)
    SELECT contract_key,
           CASE WHEN regexp_full_match(proclass_code, '[0-9]{6}')
                     AND coalesce(lower(trim(proclass_label)), '') <> 'not classified'
                THEN proclass_code END AS published_code
    FROM contracts
), decided AS (
    SELECT target_key AS contract_key, scheme, arg_max(code, decision_id) AS code,
           arg_max(coalesce(decided_by, 'a person') || coalesce(': ' || note, ''), decision_id) AS why
    FROM category_decisions WHERE target = 'contract' GROUP BY ALL
)
SELECT c.contract_key, coalesce(c.organisation, c.buyer_name, 'unknown') AS organisation,
       f.supplier_id, f.supplier_name, false AS is_redacted,
       trim(coalesce(c.title, '') || ' - ' || coalesce(c.description, '')) AS purpose,
       NULL::VARCHAR AS expense_type, c.department AS service_area, NULL::VARCHAR AS cost_centre,
       NULL::VARCHAR AS supplier_ref, NULL::VARCHAR AS merchant_category,
       CASE WHEN c.value_amount IS NULL THEN 'none'
            ELSE '+' || CAST(floor(log10(abs(c.value_amount) + 1)) AS INTEGER) END AS band,
       p.published_code, c.proclass_label AS published_label,
       dp.code AS decided_code, dp.why AS decided_why,
       coalesce(dp.code, p.published_code) AS label,
       c.cpv_code AS published_cpv, dc.code AS decided_cpv, dc.why AS decided_cpv_why,
       c.title, c.description
FROM contracts c
JOIN published p USING (contract_key)
LEFT JOIN firsts f USING (contract_key)
LEFT JOIN decided dp ON dp.contract_key = c.contract_key AND dp.scheme = 'proclass'
LEFT JOIN decided dc ON dc.contract_key = c.contract_key AND dc.scheme = 'cpv';
