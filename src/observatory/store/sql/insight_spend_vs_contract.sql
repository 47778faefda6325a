-- Spend against each member contract: the member's lines with the contract's supplier while the
-- contract was live (shared equally when several contracts with one supplier were live), to
-- $as_of and within the scope's period, against the contract's total value (as published, net
-- unless the register says otherwise).
WITH spent AS (
    SELECT c.contract_key, sum(l.amount * c.contract_share) AS spent, count(*) AS lines,
           max(l.payment_date) AS last_payment
    FROM insight_line_contracts c JOIN insight_lines l USING (line_key)
    WHERE l.payment_date <= $as_of
    GROUP BY c.contract_key
), contract AS (
    SELECT contract_key, any_value(organisation) AS organisation, any_value(reference) AS reference,
           any_value(title) AS title, any_value(value_amount) AS value_amount,
           any_value(annual_value) AS annual_value, any_value(start_date) AS start_date,
           any_value(end_date) AS end_date, string_agg(DISTINCT supplier_name, '; ' ORDER BY supplier_name) AS suppliers,
           any_value(source_file) AS source_file, any_value(source_line) AS source_line
    FROM insight_contracts GROUP BY contract_key
)
SELECT k.*, coalesce(s.spent, 0) AS spent, coalesce(s.lines, 0) AS lines, s.last_payment,
       CASE WHEN k.value_amount > 0 THEN coalesce(s.spent, 0) / k.value_amount END AS spent_ratio,
       k.value_amount IS NOT NULL AND coalesce(s.spent, 0) > k.value_amount AS over_value
FROM contract k LEFT JOIN spent s USING (contract_key)
ORDER BY over_value DESC, spent_ratio DESC NULLS LAST, k.contract_key;
