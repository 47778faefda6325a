-- Every spend line and contract supplier takes its record's entity id (after supplier_write.sql;
-- needs the views of supplier_collect.sql). Only rows whose id changes are written.

-- Spend lines: every named, unredacted line gets its record's entity; redacted lines get none.
UPDATE spend_lines SET supplier_id = r.supplier_id
FROM spend_supplier_rows s, supplier_records r
WHERE spend_lines.line_key = s.line_key AND r.record_key = s.record_key
  AND spend_lines.supplier_id IS DISTINCT FROM r.supplier_id;

UPDATE spend_lines SET supplier_id = NULL
WHERE supplier_id IS NOT NULL AND (is_redacted OR blank_token(supplier_name) IS NULL);

UPDATE contract_suppliers SET supplier_id = r.supplier_id
FROM contracts c, supplier_records r
WHERE c.contract_key = contract_suppliers.contract_key
  AND r.record_key = contract_supplier_key(c.source, coalesce(c.organisation, c.buyer_name),
        contract_suppliers.supplier_name, contract_suppliers.company_number,
        contract_suppliers.scheme, contract_suppliers.identifier, contract_suppliers.postcode)
  AND contract_suppliers.supplier_id IS DISTINCT FROM r.supplier_id;
