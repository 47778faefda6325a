-- Insert the accepted rows of the staged file that the warehouse does not hold yet.
-- A line's key is (organisation, normalised content, occurrence of that content within its
-- sheet): identical rows inside one file are separate payments and all load, while the same file
-- loaded twice, or a quarterly file repeating monthly ones, adds nothing. See docs/methods/loading.md.
CREATE OR REPLACE TEMP TABLE keyed AS
SELECT s.sheet, s.line,
    sl.line_key IS NOT NULL
        OR row_number() OVER (PARTITION BY s.content_line_key ORDER BY s.sheet, s.line) > 1
        AS is_duplicate
FROM staged s
LEFT JOIN (SELECT line_key FROM spend_lines WHERE organisation = $organisation) sl
    ON sl.line_key = $organisation || ':' || s.content_line_key
WHERE s.reason IS NULL;

INSERT INTO spend_lines (
    line_key, organisation, load_id, source_file, source_sha256, source_row, source_line, source_sheet,
    payment_date, date_basis, period_date, invoice_date, amount, amount_basis, net_amount,
    gross_amount, vat_amount, irrecoverable_vat, supplier_name, is_redacted, is_negative, is_card,
    transaction_id, invoice_number, department, service_area, expense_type, purpose, cost_centre,
    supplier_ref, supplier_company_number, supplier_charity_number, supplier_vat_number,
    proclass_code, proclass_label, merchant_category, vcse_flag, sme_flag, raw_text)
SELECT
    $organisation || ':' || content_line_key, $organisation, $load_id, $source_file, $sha256,
    CASE WHEN $header_first THEN line - $header_line ELSE line END, line, nullif(sheet, ''),
    line_date, date_basis, period_date, invoice_date, amount, amount_basis, net_amount,
    gross_amount, vat_amount, irrecoverable_vat, nullif(supplier_name, ''),
    is_redacted, amount < 0, is_card,
    transaction_id, invoice_number, department, service_area, expense_type, purpose, cost_centre,
    supplier_ref, supplier_company_number, supplier_charity_number, supplier_vat_number,
    proclass_code, proclass_label, merchant_category, vcse_flag, sme_flag, raw
FROM staged
WHERE reason IS NULL
    AND (sheet, line) NOT IN (SELECT (sheet, line) FROM keyed WHERE is_duplicate);

INSERT OR IGNORE INTO rejects
SELECT $sha256, line, sheet, 'spend', $organisation, $source_file, $load_id, amount, reason, raw
FROM staged
WHERE reason IS NOT NULL;
