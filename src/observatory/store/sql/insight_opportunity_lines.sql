-- The spend lines behind one opportunity: the joining members' lines in the unit.
SELECT u.organisation, u.payment_date, u.amount, u.supplier_name, u.supplier_key,
       u.category_code, u.on_contract, u.transaction_id, u.invoice_number,
       u.source_file, u.source_row, u.line_key
FROM insight_unit_lines u
JOIN insight_unit_joiners j USING (kind, unit_key, organisation)
WHERE u.kind = $kind AND u.unit_key = $unit_key
ORDER BY u.organisation, u.payment_date, u.source_row, u.source_file, u.line_key;
