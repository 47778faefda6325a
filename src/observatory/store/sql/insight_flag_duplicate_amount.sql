-- Red flag "same amount, nearby" (docs/methods/red-flags.md): one member paying one supplier the
-- same amount under two or more transaction numbers, each within $window_days days of the
-- previous one (a run). Identical rows (one transaction) count once. A run whose transactions all
-- carry different published invoice numbers is that many invoices and is left out; so are
-- public-body payees (instalments of levies and grants). Runs are found on transactions alone,
-- among amounts paid to a supplier more than once; names and evidence are gathered for the
-- flagged runs only (per-transaction names for every payment do not fit in memory at national
-- scale).
WITH tx AS (
    SELECT organisation, supplier_key, amount, transaction_id, min(payment_date) AS payment_date,
           any_value(nullif(regexp_replace(upper(coalesce(invoice_number, '')), '[^A-Z0-9]', '',
                                           'g'), '')) AS inv
    FROM insight_lines
    WHERE supplier_key IS NOT NULL AND amount >= $min_amount AND transaction_id IS NOT NULL
      AND supplier_key NOT IN (SELECT supplier_key FROM insight_supplier_members WHERE public_body)
    GROUP BY organisation, supplier_key, amount, transaction_id
), repeated AS (
    SELECT organisation, supplier_key, amount FROM tx
    GROUP BY organisation, supplier_key, amount HAVING count(*) >= 2
), gaps AS (
    SELECT tx.*, date_diff('day', lag(tx.payment_date) OVER w, tx.payment_date) AS gap
    FROM tx
    JOIN repeated r
      ON r.organisation = tx.organisation AND r.supplier_key = tx.supplier_key
     AND r.amount = tx.amount
    WINDOW w AS (PARTITION BY tx.organisation, tx.supplier_key, tx.amount
                 ORDER BY tx.payment_date, tx.transaction_id)
), runs AS (
    SELECT *, sum(CASE WHEN gap IS NULL OR gap > $window_days THEN 1 ELSE 0 END) OVER (
                  PARTITION BY organisation, supplier_key, amount
                  ORDER BY payment_date, transaction_id) AS run
    FROM gaps
), flagged AS (
    SELECT organisation, supplier_key, amount, run FROM runs
    GROUP BY organisation, supplier_key, amount, run
    HAVING count(*) >= 2 AND count(DISTINCT inv) < count(*)
), l AS (
    -- The flagged transactions' lines: one row per transaction, as the runs were counted.
    SELECT r.organisation, r.supplier_key, r.amount, r.transaction_id, r.payment_date, r.run,
           mode() WITHIN GROUP (ORDER BY i.supplier_name) AS supplier_name,
           min(i.source_file) AS source_file, min(i.source_row) AS source_row,
           any_value(i.invoice_number) AS invoice_number
    FROM runs r
    JOIN flagged f
      ON f.organisation = r.organisation AND f.supplier_key = r.supplier_key
     AND f.amount = r.amount AND f.run = r.run
    JOIN insight_lines i
      ON i.organisation = r.organisation AND i.supplier_key = r.supplier_key
     AND i.amount = r.amount AND i.transaction_id = r.transaction_id
    GROUP BY r.organisation, r.supplier_key, r.amount, r.transaction_id, r.payment_date, r.run
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
FROM l
GROUP BY organisation, supplier_key, amount, run
ORDER BY amount DESC, organisation, supplier_key, first_date, detail;
