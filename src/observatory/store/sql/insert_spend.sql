-- Insert the accepted rows of the staged file that the warehouse does not hold yet.
-- A line's key is (organisation, normalised content, occurrence of that content within its
-- sheet): identical rows inside one file are separate payments and all load, while the same file
-- loaded twice, or a quarterly file repeating monthly ones, adds nothing. See docs/methods/loading.md.
CREATE OR REPLACE TEMP TABLE keyed AS
WITH occurrence AS (
    SELECT sheet, line,
        content_key || '#' || row_number() OVER (PARTITION BY sheet, content_key ORDER BY line)
            AS content_line_key
    FROM staged
    WHERE reason IS NULL
)
SELECT o.sheet, o.line, o.content_line_key,
    sl.line_key IS NOT NULL
        OR row_number() OVER (PARTITION BY o.content_line_key ORDER BY o.sheet, o.line) > 1
        AS is_duplicate
FROM occurrence o
LEFT JOIN (SELECT line_key FROM spend_lines WHERE organisation = $organisation) sl
    ON sl.line_key = $organisation || ':' || o.content_line_key;

INSERT INTO spend_lines (
    line_key, organisation, load_id, source_file, source_sha256, source_row, source_line, source_sheet,
    payment_date, date_basis, period_date, invoice_date, amount, amount_basis, net_amount,
    gross_amount, vat_amount, irrecoverable_vat, supplier_name, is_redacted, is_negative, is_card,
    transaction_id, invoice_number, department, service_area, expense_type, purpose, cost_centre,
    supplier_ref, supplier_company_number, supplier_charity_number, supplier_vat_number,
    proclass_code, proclass_label, merchant_category, vcse_flag, sme_flag, raw_text)
SELECT
    $organisation || ':' || k.content_line_key, $organisation, $load_id, $source_file, $sha256,
    CASE WHEN $header_first THEN s.line - $header_line ELSE s.line END, s.line, nullif(s.sheet, ''),
    line_date, date_basis, period_date, invoice_date, amount, amount_basis, net_amount,
    gross_amount, vat_amount, irrecoverable_vat, nullif(supplier_name, ''),
    is_redacted, amount < 0, is_card,
    transaction_id, invoice_number, department, service_area, expense_type, purpose, cost_centre,
    supplier_ref, supplier_company_number, supplier_charity_number, supplier_vat_number,
    proclass_code, proclass_label, merchant_category, vcse_flag, sme_flag, raw
FROM keyed k
JOIN staged s ON s.sheet = k.sheet AND s.line = k.line
WHERE NOT k.is_duplicate;

INSERT OR IGNORE INTO rejects
SELECT $sha256, line, sheet, 'spend', $organisation, $source_file, $load_id, amount, reason, raw
FROM staged
WHERE reason IS NOT NULL;
