-- The spend export: the columns users' scripts rely on first, then everything else we keep.
SELECT source_file, source_row, organisation, payment_date, amount, supplier_name,
    supplier_id, category_scheme, category_code, category_confidence,
    date_basis, period_date, invoice_date, amount_basis, net_amount, gross_amount, vat_amount,
    irrecoverable_vat, is_redacted, is_negative, is_card, transaction_id, invoice_number,
    department, service_area, expense_type, purpose, cost_centre, supplier_ref,
    supplier_company_number, supplier_charity_number, supplier_vat_number, proclass_code,
    proclass_label, merchant_category, vcse_flag, sme_flag, source_sheet, source_line, line_key,
    raw_text
FROM spend_lines
/*where*/
ORDER BY organisation, source_file, source_sheet, source_line
