-- Red flag "same amount, nearby" (docs/methods/red-flags.md): one member paying one supplier the
-- same amount under two or more transaction numbers, each within $window_days days of the
-- previous one (a run). Identical rows (one transaction) count once. A run whose transactions all
-- carry different published invoice numbers is that many invoices and is left out; so are
-- public-body payees (instalments of levies and grants).
WITH l AS (
    SELECT organisation, supplier_key, amount, transaction_id, min(payment_date) AS payment_date,
           any_value(nullif(regexp_replace(upper(coalesce(invoice_number, '')), '[^A-Z0-9]', '',
                                           'g'), '')) AS inv,
           mode() WITHIN GROUP (ORDER BY supplier_name) AS supplier_name, min(source_file) AS source_file,
           min(source_row) AS source_row, any_value(invoice_number) AS invoice_number
    FROM insight_lines
    WHERE supplier_key IS NOT NULL AND amount >= $min_amount AND transaction_id IS NOT NULL
      AND supplier_key NOT IN (SELECT supplier_key FROM insight_supplier_members WHERE public_body)
    GROUP BY organisation, supplier_key, amount, transaction_id
), gaps AS (
    SELECT *, date_diff('day', lag(payment_date) OVER w, payment_date) AS gap
    FROM l
    WINDOW w AS (PARTITION BY organisation, supplier_key, amount
                 ORDER BY payment_date, transaction_id)
), runs AS (
    SELECT *, sum(CASE WHEN gap IS NULL OR gap > $window_days THEN 1 ELSE 0 END) OVER (
                  PARTITION BY organisation, supplier_key, amount
                  ORDER BY payment_date, transaction_id) AS run
    FROM gaps
)
SELECT 'same amount, nearby' AS rule, organisation, supplier_key, mode() WITHIN GROUP (ORDER BY supplier_name) AS supplier,
       amount * (count(*) - 1) AS amount, count(*) AS lines, min(payment_date) AS first_date,
       max(payment_date) AS last_date,
       NULL::VARCHAR AS threshold_name, NULL::DECIMAL(18, 2) AS threshold_amount,
       '£' || CAST(amount AS VARCHAR) || ' paid under ' || count(*) || ' transaction numbers ('
           || string_agg(transaction_id, ', ' ORDER BY payment_date, transaction_id) || ') within '
           || date_diff('day', min(payment_date), max(payment_date)) || ' day(s)' AS detail,
       list({'date': payment_date, 'amount': amount, 'transaction_id': transaction_id,
             'invoice_number': invoice_number, 'source_file': source_file,
             'source_row': source_row}
            ORDER BY payment_date, transaction_id, source_file, source_row) AS evidence
FROM runs
GROUP BY organisation, supplier_key, amount, run
HAVING count(*) >= 2 AND count(DISTINCT inv) < count(*)
ORDER BY amount DESC, organisation, supplier_key, first_date;
