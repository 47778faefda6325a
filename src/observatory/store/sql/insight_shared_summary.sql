-- Per member: spend in scope, the part with named suppliers, and the part with suppliers (and in
-- categories) that two or more members use. The network row is the sum of these.
SELECT l.organisation,
       any_value(m.months) AS months,
       any_value(m.financial_years) AS financial_years,
       sum(l.amount) AS total_amount,
       coalesce(sum(l.amount) FILTER (WHERE l.is_redacted), 0) AS redacted_amount,
       coalesce(sum(l.amount) FILTER (WHERE NOT l.is_redacted), 0) AS named_amount,
       coalesce(sum(l.amount) FILTER (WHERE s.members >= $min_members), 0) AS shared_supplier_amount,
       count(DISTINCT l.supplier_key) AS suppliers,
       count(DISTINCT l.supplier_key) FILTER (WHERE s.members >= $min_members) AS shared_suppliers,
       coalesce(sum(l.amount) FILTER (WHERE l.category_code IS NOT NULL AND NOT l.is_redacted), 0)
           AS categorised_amount,
       coalesce(sum(l.amount) FILTER (WHERE c.members >= $min_members AND NOT l.is_redacted), 0)
           AS shared_category_amount
FROM insight_lines l
JOIN insight_member_months m USING (organisation)
LEFT JOIN insight_supplier_members s USING (supplier_key)
LEFT JOIN insight_category_members c USING (category_code)
GROUP BY l.organisation
ORDER BY l.organisation;
