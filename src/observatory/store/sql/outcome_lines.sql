-- Every spend line with what the policy-outcome figures need, as one temporary table:
-- spend net of VAT, a supplier key, a category and its DEFRA SIC group, and the supplier's SIC group
-- where a register gives it. Run after outcome_macros.sql and the reference tables that
-- insight/outcomes_reference.py registers (ref_factor_prefixes, ref_category_sic).

-- SIC codes of a supplier: the resolved supplier record, else the Companies House register entry of
-- the company number the line carries. The first code listed is the company's main activity.
CREATE OR REPLACE TEMP TABLE outcome_supplier_sic AS
SELECT 'id' AS via, supplier_id AS k, sic_codes[1] AS sic_code
FROM suppliers WHERE len(sic_codes) > 0
UNION ALL
SELECT 'company' AS via, company_number AS k, sic_codes[1] AS sic_code
FROM companies_register WHERE len(sic_codes) > 0;

-- Longest prefix wins: 23.5-6 (cement) beats 23OTHER for 23510.
CREATE OR REPLACE TEMP TABLE outcome_sic_group AS
SELECT sic_code, arg_max(sic_group, length(prefix)) AS sic_group
FROM (SELECT DISTINCT sic_code FROM outcome_supplier_sic) s
JOIN ref_factor_prefixes f ON starts_with(regexp_replace(s.sic_code, '[^0-9]', '', 'g'), f.prefix)
GROUP BY sic_code;

CREATE OR REPLACE TEMP TABLE outcome_lines AS
WITH lines AS (
    SELECT
        l.line_key, l.organisation, l.payment_date, year(l.payment_date) AS year,
        -- Spend net of VAT: published net amounts as they are; gross lines less their VAT where
        -- the file gives it (else left gross and said so).
        CASE WHEN l.amount_basis = 'gross'
             THEN coalesce(l.net_amount, l.amount - l.vat_amount, l.amount)
             ELSE l.amount END AS net_amount,
        CASE WHEN l.amount_basis = 'gross' AND l.net_amount IS NULL AND l.vat_amount IS NULL
             THEN 'gross (no VAT figure to remove)' ELSE l.amount_basis END AS amount_basis,
        l.is_redacted, l.supplier_name, l.supplier_id, l.supplier_company_number,
        l.supplier_charity_number,
        CASE WHEN l.is_redacted OR outcome_name(l.supplier_name) IS NULL THEN NULL
             ELSE 'name:' || outcome_name(l.supplier_name) END AS name_key,
        -- A model's guess counts only when it is confident enough ($min_confidence, calibrated
        -- probability) and the payee is not redacted (on the real data the model files GBP 123m of
        -- redacted payments to individuals under 'Events'); otherwise the line is treated as
        -- having no category, and says why.
        CASE WHEN lc.source <> 'model'
                  OR (lc.confidence >= $min_confidence AND NOT l.is_redacted) THEN lc.code END
            AS classified_code,
        lc.source AS classified_source, lc.confidence AS classified_confidence,
        CASE WHEN lc.source = 'model'
                  AND (lc.confidence < $min_confidence OR l.is_redacted) THEN lc.code END
            AS unconfident_code,
        l.category_code,
        l.proclass_code, l.proclass_label, l.expense_type, l.purpose, l.vcse_flag, l.sme_flag
    FROM spend_lines l
    LEFT JOIN line_categories lc USING (line_key)
)
SELECT
    l.*,
    -- Redacted payees stay one bucket even if resolution gave them an id.
    CASE WHEN l.is_redacted THEN 'redacted' ELSE coalesce(l.supplier_id, l.name_key, 'redacted') END
        AS supplier_key,
    CASE WHEN l.classified_source IS NOT NULL THEN l.classified_code
         ELSE coalesce(l.category_code, l.proclass_code) END AS category,
    CASE WHEN l.classified_code IS NOT NULL THEN 'classification (' || l.classified_source || ')'
         WHEN l.unconfident_code IS NOT NULL
             THEN 'none (model category unconfident, or payee redacted)'
         WHEN l.category_code IS NOT NULL THEN 'classification'
         WHEN l.proclass_code IS NOT NULL THEN 'published ProClass code'
         ELSE 'none' END AS category_basis,
    coalesce(cs.label, l.proclass_label) AS category_label,
    cs.level1 AS category_level1,
    cs.sic_group AS category_sic_group,
    cs.matched_on AS category_matched_on,
    coalesce(sid.sic_code, sco.sic_code) AS supplier_sic_code,
    coalesce(gid.sic_group, gco.sic_group) AS supplier_sic_group
FROM lines l
LEFT JOIN ref_category_sic cs
    ON cs.code = CASE WHEN l.classified_source IS NOT NULL THEN l.classified_code
                      ELSE coalesce(l.category_code, l.proclass_code) END
LEFT JOIN outcome_supplier_sic sid ON sid.via = 'id' AND sid.k = l.supplier_id
LEFT JOIN outcome_supplier_sic sco ON sco.via = 'company' AND sco.k = l.supplier_company_number
LEFT JOIN outcome_sic_group gid ON gid.sic_code = sid.sic_code
LEFT JOIN outcome_sic_group gco ON gco.sic_code = sco.sic_code;
