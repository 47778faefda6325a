-- Red flag "above notice threshold, no notice" (docs/methods/red-flags.md): a member's payments to
-- one supplier in a financial year reach the notice threshold in force on the year's first
-- payment to it (VAT-inclusive thresholds against net lines grossed up at $vat_rate), and the
-- warehouse holds no contract or notice of that member with that supplier. Public-body payees are
-- left out. The years are found with plain sums first; the name and the five largest payments are
-- then gathered for the flagged years alone (an ordered list per year of every member and
-- supplier does not fit in memory at national scale).
WITH t AS (
    SELECT l.organisation, l.supplier_key, l.supplier_name, l.amount, l.payment_date,
           l.financial_year, l.transaction_id, l.invoice_number, l.source_file, l.source_row,
           th.name AS threshold_name, th.amount AS threshold_amount,
           th.amount / CASE WHEN th.includes_vat AND l.amount_basis <> 'gross'
                            THEN 1 + $vat_rate ELSE 1 END AS limit_on_basis
    FROM insight_lines l
    JOIN insight_thresholds th
      ON l.payment_date BETWEEN th.valid_from AND coalesce(th.valid_to, DATE '2999-12-31')
     AND (th.organisation IS NULL OR th.organisation = l.organisation)
     AND list_contains($kinds, th.kind)
    WHERE l.supplier_key IS NOT NULL
), year AS (
    SELECT organisation, supplier_key, financial_year,
           sum(amount) AS amount, count(*) AS lines, min(payment_date) AS first_date,
           max(payment_date) AS last_date,
           arg_min(limit_on_basis, payment_date) AS limit_on_basis,
           arg_min(threshold_name, payment_date) AS threshold_name,
           arg_min(threshold_amount, payment_date) AS threshold_amount
    FROM t GROUP BY organisation, supplier_key, financial_year
), flagged AS (
    SELECT y.*
    FROM year y
    JOIN insight_supplier_members s USING (supplier_key)
    WHERE NOT s.public_body AND y.amount >= y.limit_on_basis
      AND NOT EXISTS (SELECT 1 FROM insight_contracts k
                      WHERE k.organisation = y.organisation AND k.supplier_key = y.supplier_key)
), ranked AS (
    SELECT t.*, row_number() OVER (
               PARTITION BY t.organisation, t.supplier_key, t.financial_year
               ORDER BY t.amount DESC, t.payment_date, t.source_file, t.source_row) AS size_rank
    FROM t
    JOIN flagged f
      ON f.organisation = t.organisation AND f.supplier_key = t.supplier_key
     AND f.financial_year = t.financial_year
), evidence AS (
    SELECT organisation, supplier_key, financial_year,
           mode() WITHIN GROUP (ORDER BY supplier_name) AS supplier,
           list({'date': payment_date, 'amount': amount, 'transaction_id': transaction_id,
                 'invoice_number': invoice_number, 'source_file': source_file,
                 'source_row': source_row}
                ORDER BY amount DESC, payment_date, source_file, source_row)
               FILTER (WHERE size_rank <= 5) AS evidence
    FROM ranked GROUP BY organisation, supplier_key, financial_year
)
SELECT 'above notice threshold, no notice' AS rule, y.organisation, y.supplier_key, e.supplier,
       y.amount, y.lines, y.first_date, y.last_date, y.threshold_name, y.threshold_amount,
       '£' || CAST(y.amount AS VARCHAR) || ' paid in ' || y.financial_year || ' against a £'
           || CAST(y.threshold_amount AS VARCHAR) || ' threshold; '
           || CASE WHEN (SELECT count(*) FROM insight_contracts k
                         WHERE k.organisation = y.organisation) = 0
                   THEN 'no contracts or notices are loaded for this member at all'
                   ELSE 'no contract or notice with this supplier is loaded' END AS detail,
       e.evidence
FROM flagged y
JOIN evidence e USING (organisation, supplier_key, financial_year)
ORDER BY y.amount DESC, y.organisation, y.supplier_key, y.first_date;
