-- The contracts behind one opportunity: every member contract in the unit (live or not).
SELECT DISTINCT c.organisation, c.contract_key, c.source, c.reference, c.title, c.supplier_name,
       c.value_amount, c.annual_value, c.start_date, c.end_date, c.category_code, c.source_file,
       c.source_line
FROM insight_unit_contracts c
WHERE c.kind = $kind AND c.unit_key = $unit_key
ORDER BY c.end_date NULLS LAST, c.organisation, c.contract_key, c.supplier_name;
