-- Red flag "possible split order" (docs/methods/red-flags.md): two or more payments by one member
-- to one supplier, each within $band below a threshold in force on its date, each within
-- $window_days of the previous one, together reaching that threshold. Thresholds that include VAT
-- are compared with net lines grossed up at $vat_rate.
WITH t AS (
    SELECT l.line_key, l.organisation, l.supplier_key, l.supplier_name, l.amount, l.payment_date,
           l.transaction_id, l.invoice_number, l.source_file, l.source_row,
           th.name AS threshold_name, th.amount AS threshold_amount,
           th.amount / CASE WHEN th.includes_vat AND l.amount_basis <> 'gross'
                            THEN 1 + $vat_rate ELSE 1 END AS limit_on_basis
    FROM insight_lines l
    JOIN insight_thresholds th
      ON l.payment_date BETWEEN th.valid_from AND coalesce(th.valid_to, DATE '2999-12-31')
     AND (th.organisation IS NULL OR th.organisation = l.organisation)
    WHERE l.supplier_key IS NOT NULL AND l.amount > 0
), near AS (
    SELECT * FROM t WHERE amount < limit_on_basis AND amount >= limit_on_basis * (1 - $band)
), runs AS (
    SELECT *, sum(CASE WHEN gap IS NULL OR gap > $window_days THEN 1 ELSE 0 END)
                  OVER (PARTITION BY organisation, supplier_key, threshold_name
                        ORDER BY payment_date, line_key) AS run
    FROM (SELECT *, date_diff('day', lag(payment_date) OVER (
                     PARTITION BY organisation, supplier_key, threshold_name
                     ORDER BY payment_date, line_key), payment_date) AS gap
          FROM near)
)
SELECT 'possible split order' AS rule, organisation, supplier_key, mode() WITHIN GROUP (ORDER BY supplier_name) AS supplier,
       sum(amount) AS amount, count(*) AS lines, min(payment_date) AS first_date,
       max(payment_date) AS last_date, threshold_name, any_value(threshold_amount) AS threshold_amount,
       count(*) || ' payments each just below £' || CAST(round(any_value(limit_on_basis), 2) AS VARCHAR)
           || ' (the ' || threshold_name || ' threshold on their basis) totalling £'
           || CAST(sum(amount) AS VARCHAR) AS detail,
       list({'date': payment_date, 'amount': amount, 'transaction_id': transaction_id,
             'invoice_number': invoice_number, 'source_file': source_file,
             'source_row': source_row}
            ORDER BY payment_date, source_row, source_file) AS evidence
FROM runs
GROUP BY organisation, supplier_key, threshold_name, run
HAVING count(*) >= $min_payments AND sum(amount) >= any_value(limit_on_basis)
ORDER BY amount DESC, organisation, supplier_key, first_date, detail;
