-- Key register rows like spend lines (content and occurrence), so a re-load adds nothing.
CREATE OR REPLACE TEMP TABLE register_keyed AS
SELECT s.line,
    $organisation || ':register:' || s.content_key || '#'
        || row_number() OVER (PARTITION BY s.content_key ORDER BY s.line) AS contract_key
FROM register_staged s
WHERE s.reason IS NULL;

CREATE OR REPLACE TEMP TABLE register_new AS
SELECT k.line, k.contract_key, c.contract_key IS NOT NULL AS is_duplicate
FROM register_keyed k LEFT JOIN contracts c ON c.contract_key = k.contract_key;

INSERT INTO contracts (contract_key, source, organisation, source_file, source_line, reference,
    title, description, buyer_name, status, procedure, value_amount, value_currency, annual_value,
    value_includes_vat, start_date, end_date, current_end_date, proclass_code, proclass_label,
    cpv_code, department, raw_values, parse_notes)
SELECT n.contract_key, 'register', $organisation, $source_file, s.line, s.reference, s.title,
    s.description, s.buyer_name, NULL, s.procedure, s.total_value, 'GBP', s.annual_value,
    NULL, s.start_date, s.end_date, coalesce(s.current_end_date, s.end_date), s.proclass_code,
    s.proclass_label, s.cpv_code, s.department,
    to_json({annual_value: s.annual_value_raw, total_value: s.total_value_raw,
             start_date: s.start_date_raw, end_date: s.end_date_raw,
             current_end_date: s.current_end_date_raw, sme: s.sme_flag_raw,
             vcse: s.vcse_flag_raw, company_number: s.company_number_raw,
             competed: s.competed, raw: s.raw}),
    s.parse_notes
FROM register_new n JOIN register_staged s USING (line)
WHERE NOT n.is_duplicate;

INSERT INTO contract_suppliers (contract_key, supplier_name, scheme, identifier, company_number,
    postcode, scale, sme_flag_raw)
SELECT n.contract_key, s.supplier_name,
    CASE WHEN s.company_number IS NOT NULL THEN 'GB-COH'
         WHEN s.charity_number IS NOT NULL THEN 'GB-CHC' END,
    CASE WHEN s.company_number IS NOT NULL THEN 'GB-COH-' || s.company_number
         WHEN s.charity_number IS NOT NULL THEN 'GB-CHC-' || s.charity_number END,
    s.company_number,
    CASE WHEN regexp_full_match(s.supplier_postcode, '[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}')
         THEN s.supplier_postcode END,
    CASE WHEN upper(s.sme_flag_raw) IN ('YES', 'Y', 'TRUE') THEN 'sme'
         WHEN upper(s.sme_flag_raw) IN ('NO', 'N', 'FALSE') THEN 'large' END,
    s.sme_flag_raw
FROM register_new n JOIN register_staged s USING (line)
WHERE NOT n.is_duplicate AND s.supplier_name IS NOT NULL;

INSERT OR IGNORE INTO rejects
SELECT $sha256, line, '', 'contracts', $organisation, $source_file, $load_id, total_value, reason, raw
FROM register_staged WHERE reason IS NOT NULL;
