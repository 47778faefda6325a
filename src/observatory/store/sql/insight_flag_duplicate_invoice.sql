-- Red flag "duplicate invoice" (docs/methods/red-flags.md): one member paying one supplier the
-- same amount against the same invoice number (case, spaces and punctuation ignored) as two or
-- more payments, a payment being a distinct (transaction number, payment date). Identical rows
-- are one payment here: Trafford publishes separate payments as identical rows, but the same
-- transaction twice is not a second payment against the invoice. Invoice numbers shorter than
-- $min_invoice_length characters ('25'), a bare year ('2025': Trafford quotes one on many
-- insurance and care payments) or 'REDACTED' are references, not invoices; public-body payees (levy
-- instalments quote one reference all year) are left out. The repeated invoices are found by
-- counting first; names and evidence are gathered for those alone (lists for every invoice do not
-- fit in memory at national scale).
WITH l AS (
    SELECT organisation, supplier_key, supplier_name, amount, payment_date, transaction_id,
           invoice_number, source_file, source_row,
           regexp_replace(upper(invoice_number), '[^A-Z0-9]', '', 'g') AS inv
    FROM insight_lines
    WHERE supplier_key IS NOT NULL AND amount >= $min_amount AND invoice_number IS NOT NULL
      AND length(regexp_replace(invoice_number, '[^A-Za-z0-9]', '', 'g')) >= $min_invoice_length
      AND NOT regexp_matches(upper(invoice_number), 'REDACT')
      AND NOT regexp_full_match(trim(invoice_number), '(19|20)[0-9][0-9]')
      AND supplier_key NOT IN (SELECT supplier_key FROM insight_supplier_members WHERE public_body)
), payments AS (
    SELECT organisation, supplier_key, inv, amount, coalesce(transaction_id, '') AS transaction_id,
           payment_date
    FROM l GROUP BY organisation, supplier_key, inv, amount, coalesce(transaction_id, ''),
                    payment_date
), repeated AS (
    SELECT organisation, supplier_key, inv, amount, count(*) AS payments
    FROM payments GROUP BY organisation, supplier_key, inv, amount
    HAVING count(*) >= 2
)
SELECT 'duplicate invoice' AS rule, l.organisation, l.supplier_key,
       mode() WITHIN GROUP (ORDER BY l.supplier_name) AS supplier,
       l.amount * (any_value(r.payments) - 1) AS amount,
       count(*) AS lines, min(l.payment_date) AS first_date, max(l.payment_date) AS last_date,
       NULL::VARCHAR AS threshold_name, NULL::DECIMAL(18, 2) AS threshold_amount,
       'invoice ' || any_value(l.invoice_number) || ': £' || CAST(l.amount AS VARCHAR) || ' paid '
           || any_value(r.payments) || ' times' AS detail,
       list({'date': l.payment_date, 'amount': l.amount, 'transaction_id': l.transaction_id,
             'invoice_number': l.invoice_number, 'source_file': l.source_file,
             'source_row': l.source_row}
            ORDER BY l.payment_date, l.source_row, l.source_file) AS evidence
FROM l
JOIN repeated r
  ON r.organisation = l.organisation AND r.supplier_key = l.supplier_key AND r.inv = l.inv
 AND r.amount = l.amount
GROUP BY l.organisation, l.supplier_key, l.inv, l.amount
ORDER BY amount DESC, l.organisation, l.supplier_key, first_date, detail;
