-- Contract pipeline (docs/methods/contracts-pipeline.md): members' contracts ending, or reaching
-- the point where the member must decide to extend or re-procure ($decision_lead_months before
-- the end), within $horizon_months of $as_of. Values are as published (registers: net of VAT
-- unless the register says otherwise); value_incl_vat grosses a net value up at $vat_rate.
WITH contract AS (
    SELECT contract_key, any_value(organisation) AS organisation, any_value(source) AS source,
           any_value(reference) AS reference, any_value(title) AS title,
           any_value(value_amount) AS value_amount, any_value(annual_value) AS annual_value,
           any_value(value_includes_vat) AS value_includes_vat,
           any_value(start_date) AS start_date, any_value(end_date) AS end_date,
           any_value(original_end_date) AS original_end_date,
           any_value(category_code) AS category_code, any_value(proclass_label) AS category,
           string_agg(DISTINCT supplier_name, '; ' ORDER BY supplier_name) AS suppliers,
           any_value(source_file) AS source_file, any_value(source_line) AS source_line
    FROM insight_contracts GROUP BY contract_key
)
SELECT *,
       end_date - to_months($decision_lead_months) AS decide_by,
       CASE WHEN coalesce(value_includes_vat, false) THEN value_amount
            ELSE value_amount * (1 + $vat_rate) END AS value_incl_vat,
       date_diff('month', $as_of, end_date) AS months_to_end,
       CASE WHEN end_date <= $as_of + INTERVAL 6 MONTH THEN '0-6 months'
            WHEN end_date <= $as_of + INTERVAL 12 MONTH THEN '6-12 months'
            WHEN end_date <= $as_of + INTERVAL 18 MONTH THEN '12-18 months'
            ELSE 'over 18 months (decision due sooner)' END AS band,
       original_end_date IS NOT NULL AND end_date > original_end_date AS extended
FROM contract
WHERE end_date IS NOT NULL
  AND end_date - to_months($decision_lead_months) <= $as_of + to_months($horizon_months)
  AND end_date >= $as_of
ORDER BY end_date, organisation, contract_key;
