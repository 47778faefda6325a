-- Red flag "duplicate invoice" (docs/methods/red-flags.md): one member paying one supplier the
-- same amount against the same invoice number (case, spaces and punctuation ignored) as two or
-- more payments, a payment being a distinct (transaction number, payment date). Identical rows
-- are one payment here: Trafford publishes separate payments as identical rows, but the same
-- transaction twice is not a second payment against the invoice. Invoice numbers shorter than
-- $min_invoice_length characters ('25'), a bare year ('2025': Trafford quotes one on many
-- insurance and care payments) or 'REDACTED' are references, not invoices; public-body payees (levy
-- instalments quote one reference all year) are left out.
WITH l AS (
    SELECT *, nullif(regexp_replace(upper(invoice_number), '[^A-Z0-9]', '', 'g'), '') AS inv
    FROM insight_lines
    WHERE supplier_key IS NOT NULL AND amount >= $min_amount AND invoice_number IS NOT NULL
      AND length(regexp_replace(invoice_number, '[^A-Za-z0-9]', '', 'g')) >= $min_invoice_length
      AND NOT regexp_matches(upper(invoice_number), 'REDACT')
      AND NOT regexp_full_match(trim(invoice_number), '(19|20)[0-9][0-9]')
      AND supplier_key NOT IN (SELECT supplier_key FROM insight_supplier_members WHERE public_body)
)
SELECT 'duplicate invoice' AS rule, organisation, supplier_key, mode() WITHIN GROUP (ORDER BY supplier_name) AS supplier,
       amount * (count(DISTINCT (coalesce(transaction_id, ''), payment_date)) - 1) AS amount,
       count(*) AS lines, min(payment_date) AS first_date, max(payment_date) AS last_date,
       NULL::VARCHAR AS threshold_name, NULL::DECIMAL(18, 2) AS threshold_amount,
       'invoice ' || any_value(invoice_number) || ': £' || CAST(amount AS VARCHAR) || ' paid '
           || count(DISTINCT (coalesce(transaction_id, ''), payment_date)) || ' times' AS detail,
       list({'date': payment_date, 'amount': amount, 'transaction_id': transaction_id,
             'invoice_number': invoice_number, 'source_file': source_file,
             'source_row': source_row}
            ORDER BY payment_date, source_row, source_file) AS evidence
FROM l
GROUP BY organisation, supplier_key, inv, amount
HAVING count(DISTINCT (coalesce(transaction_id, ''), payment_date)) >= 2
ORDER BY amount DESC, organisation, supplier_key;
