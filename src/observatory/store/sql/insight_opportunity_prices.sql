-- For price variation: each joining member's median positive payment to each supplier in a unit
-- (spend files carry no quantities, so this stands in for a price; see the method note). The
-- median is taken in DOUBLE: a DECIMAL median of an even count is rounded to pence in DuckDB and
-- not on Spark, and the exact midpoint is the better price proxy anyway.
SELECT u.kind, u.unit_key, u.supplier_key, u.organisation,
       sum(u.amount) * 12.0 / any_value(m.months) AS annual_amount,
       count(*) FILTER (WHERE u.amount > 0) AS payments,
       median(CAST(u.amount AS DOUBLE)) FILTER (WHERE u.amount > 0) AS median_payment
FROM insight_unit_lines u
JOIN insight_unit_joiners j USING (kind, unit_key, organisation)
JOIN insight_member_months m ON m.organisation = u.organisation
GROUP BY ALL
HAVING count(*) FILTER (WHERE u.amount > 0) >= $min_payments;
