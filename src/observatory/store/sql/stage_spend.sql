-- Stage one spend file: tokenise its lines, map columns to canonical fields, parse, and decide
-- for every row whether it loads or why it is rejected. Placeholders in braces are filled by
-- sources/spend.py from the file's layout: "fields" is a list expression over the row's text,
-- "cells" reads each mapped cell once as c1, c2 …, "col_FIELD" is that column or NULL, "ncols"
-- the header width (braces doubled where literal).
CREATE OR REPLACE TEMP TABLE {target} AS
WITH tokenised AS (
    SELECT line, sheet, raw, {fields} AS f0
    FROM incoming
),
unfused AS (
    -- Dates glued to a neighbouring field (Lambeth: '25/06/2012900', 'Catch2227/06/2012'): when
    -- a row is short of fields and the date column, or the one before it, holds a date with
    -- other text attached, split that cell; keep the split only if the row then has the
    -- header's width.
    SELECT line, sheet, raw, f0,
        CASE WHEN {date_col} = 0 OR len(f0) >= {ncols} THEN NULL
             WHEN {date_col} > 1 AND fused_date(f0[{date_col} - 1])
                 THEN list_concat(f0[1:{date_col} - 2], unfuse_date(f0[{date_col} - 1]), f0[{date_col}:])
             WHEN fused_date(f0[{date_col}])
                 THEN list_concat(f0[1:{date_col} - 1], unfuse_date(f0[{date_col}]), f0[{date_col} + 1:])
        END AS split
    FROM tokenised
),
repaired AS (
    SELECT line, sheet, raw,
        coalesce(split IS NOT NULL AND len(split) = {ncols}, false) AS was_unfused,
        CASE WHEN split IS NOT NULL AND len(split) = {ncols} THEN split ELSE f0 END AS f
    FROM unfused
),
cells AS (
    SELECT line, sheet, raw, was_unfused, f{cells}
    FROM repaired
),
typed AS (
    SELECT line, sheet, raw, was_unfused,
        len(f) AS nfields,
        [x FOR x IN f[{ncols} + 1:] IF trim(x) <> ''] AS overflow,
        {col_organisation_name} AS organisation_name,
        parse_date({col_payment_date}) AS payment_date,
        parse_date({col_transaction_date}) AS transaction_date,
        parse_date({col_invoice_date}) AS invoice_date,
        parse_date({col_period_date}) AS period_date,
        coalesce({col_payment_date}, {col_transaction_date}, {col_invoice_date}, {col_period_date}) AS date_raw,
        parse_amount({col_net_amount}) AS net_amount,
        parse_amount({col_gross_amount}) AS gross_amount,
        parse_amount({col_vat_amount}) AS vat_amount,
        parse_amount({col_irrecoverable_vat}) AS irrecoverable_vat,
        parse_amount({col_published_amount}) AS published_amount,
        coalesce({col_net_amount}, {col_gross_amount}, {col_published_amount}) AS amount_raw,
        trim({col_supplier_name}) AS supplier_name,
        {col_transaction_id} AS transaction_id,
        {col_invoice_number} AS invoice_number,
        {col_department} AS department,
        {col_service_area} AS service_area,
        {col_expense_type} AS expense_type,
        {col_purpose} AS purpose,
        {col_cost_centre} AS cost_centre,
        {col_supplier_ref} AS supplier_ref,
        {col_supplier_company_number} AS supplier_company_number,
        {col_supplier_charity_number} AS supplier_charity_number,
        {col_supplier_vat_number} AS supplier_vat_number,
        {col_proclass_code} AS proclass_code,
        {col_proclass_label} AS proclass_label,
        {col_merchant_category} AS merchant_category,
        {col_card_flag} AS card_flag,
        {col_vcse_flag} AS vcse_flag,
        {col_sme_flag} AS sme_flag,
        CASE WHEN contains(lower(concat_ws(' ', f[1], f[2], f[3])), 'total')
             THEN total_label(f[1]) OR total_label(f[2]) OR total_label(f[3])
             ELSE false END AS total_cells,
        {repeats_header} AS repeats_header
    FROM cells
),
decided AS (
    SELECT *,
        coalesce(net_amount,
                 CASE WHEN gross_amount IS NOT NULL AND vat_amount IS NOT NULL
                      THEN gross_amount - vat_amount END,
                 published_amount, gross_amount) AS amount,
        CASE WHEN net_amount IS NOT NULL THEN 'net'
             WHEN gross_amount IS NOT NULL AND vat_amount IS NOT NULL THEN 'net (gross less VAT)'
             WHEN published_amount IS NOT NULL THEN 'as published'
             WHEN gross_amount IS NOT NULL THEN 'gross'
        END AS amount_basis,
        coalesce(payment_date, transaction_date, invoice_date, period_date) AS line_date,
        CASE WHEN payment_date IS NOT NULL THEN 'payment'
             WHEN transaction_date IS NOT NULL THEN 'transaction'
             WHEN invoice_date IS NOT NULL THEN 'invoice'
             WHEN period_date IS NOT NULL THEN 'period' END AS date_basis
    FROM typed
),
verdict AS (
    SELECT line, sheet, raw, was_unfused, organisation_name, line_date, date_basis, period_date, invoice_date,
        amount, amount_basis, net_amount, gross_amount, vat_amount, irrecoverable_vat, supplier_name,
        transaction_id, invoice_number, department, service_area, expense_type, purpose, cost_centre,
        supplier_ref, supplier_company_number, supplier_charity_number, supplier_vat_number,
        proclass_code, proclass_label, merchant_category, card_flag, vcse_flag, sme_flag,
        CASE
            WHEN repeats_header THEN 'repeated header row'
            WHEN total_cells AND (line_date IS NULL OR redacted_payee(supplier_name))
                THEN 'total row'
            WHEN len(overflow) > 0
                THEN 'row has ' || nfields || ' fields where the header has ' || {ncols}
            WHEN amount_raw IS NULL AND nfields < {ncols}
                THEN 'short row: ' || nfields || ' fields where the header has ' || {ncols}
            WHEN amount_raw IS NULL THEN 'no amount'
            WHEN amount IS NULL THEN 'amount not understood: ' || amount_raw
            WHEN date_raw IS NULL THEN 'no date'
            WHEN line_date IS NULL THEN 'date not understood: ' || date_raw
            WHEN year(line_date) NOT BETWEEN 1990 AND 2100 THEN 'date out of range: ' || date_raw
        END AS reason
    FROM decided
),
keyed_content AS (
    SELECT *,
        CASE WHEN reason IS NULL THEN
            md5(concat_ws('|', line_date, amount, upper(coalesce(supplier_name, '')),
                          coalesce(transaction_id, ''), coalesce(invoice_number, ''),
                          upper(coalesce(service_area, '')), upper(coalesce(expense_type, '')),
                          upper(coalesce(purpose, '')), coalesce(period_date::VARCHAR, '')))
        END AS content_key
    FROM verdict
)
-- The occurrence number that completes each line's key is counted in insert_spend.sql, over
-- just (sheet, line, content_key): a window over these wide rows would copy every column.
SELECT * EXCLUDE (card_flag),
    redacted_payee(supplier_name) AS is_redacted,
    coalesce(upper(card_flag) NOT IN ('N', 'NO', 'FALSE', '0'), false)
        OR merchant_category IS NOT NULL
        OR is_card_text(transaction_id) OR is_card_text(purpose) AS is_card
FROM keyed_content;
