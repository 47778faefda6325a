-- The lines, members and contracts an analysis covers (see insight/scope.py). Parameters: $orgs
-- (member ids; empty = every member), $start and $end (the financial year, or all loaded years).

-- Spend lines in scope with the keys the analyses group by. Redacted lines stay (they count in
-- totals) but have no supplier key. Category: a person's or the classifier's code where
-- classification has run (spend_lines.category_code, else line_categories), else the ProClass
-- code the publisher printed.
CREATE OR REPLACE TEMP TABLE insight_lines AS
SELECT s.line_key, s.organisation, s.payment_date, s.amount, s.amount_basis, s.is_redacted,
       s.is_card, s.supplier_name, s.supplier_id,
       CASE WHEN NOT s.is_redacted THEN insight_supplier_key(s.supplier_id, s.supplier_name) END
           AS supplier_key,
       coalesce(s.category_code, lc.code,
                insight_published_proclass(s.proclass_code, s.proclass_label)) AS category_code,
       -- published, person or model (classification's own word), so a figure can say how much
       -- of it rests on the classifier's guesses.
       coalesce(lc.source,
                CASE WHEN s.category_code IS NOT NULL THEN 'classified'
                     WHEN insight_published_proclass(s.proclass_code, s.proclass_label) IS NOT NULL
                         THEN 'published' END) AS category_source,
       s.proclass_label, s.transaction_id, s.invoice_number, s.source_file, s.source_row,
       s.source_line, date_trunc('month', s.payment_date) AS month,
       insight_financial_year(s.payment_date) AS financial_year
FROM spend_lines s
LEFT JOIN line_categories lc ON lc.line_key = s.line_key AND lc.scheme = 'proclass'
WHERE (len($orgs) = 0 OR list_contains($orgs, s.organisation))
  AND s.payment_date BETWEEN $start AND $end;

-- Months each member has published (in scope): how spend is annualised. A month counts when it
-- has at least a tenth of the member's median monthly line count: Calderdale's 2021-22 card file
-- carries 20 lines dated 2020, which are late-published transactions, not seven more months.
CREATE OR REPLACE TEMP TABLE insight_member_months AS
WITH per_month AS (
    SELECT organisation, month, count(*) AS lines FROM insight_lines GROUP BY ALL
), covered AS (
    SELECT organisation, month FROM per_month p
    WHERE lines >= 0.1 * (SELECT median(q.lines) FROM per_month q
                          WHERE q.organisation = p.organisation)
)
SELECT c.organisation, count(*) AS months, min(c.month) AS first_month,
       last_day(max(c.month)) AS last_month,
       list(DISTINCT insight_financial_year(c.month) ORDER BY insight_financial_year(c.month))
           AS financial_years
FROM covered c GROUP BY c.organisation;

-- Members' contracts, one row per contract and supplier: registers carry the member; OCDS
-- notices are the member's when their buyer name is the member's name or one of its aliases.
CREATE OR REPLACE TEMP TABLE insight_contracts AS
WITH owner AS (
    SELECT c.contract_key,
           coalesce(c.organisation, (
               SELECT min(o.org_id) FROM organisations o
               WHERE lower(trim(c.buyer_name)) = lower(o.name)
                  OR list_contains(list_transform(coalesce(o.aliases, []), lambda a: lower(a)),
                                   lower(trim(c.buyer_name))))) AS organisation
    FROM contracts c
)
SELECT c.contract_key, w.organisation, c.source, c.reference, c.title, c.notice_type,
       c.value_amount, c.annual_value, c.value_includes_vat, c.start_date,
       coalesce(c.current_end_date, c.end_date) AS end_date, c.end_date AS original_end_date,
       coalesce(cc.code, c.proclass_code) AS category_code, c.proclass_label, c.cpv_code,
       cs.supplier_name, cs.company_number,
       insight_supplier_key(cs.supplier_id, cs.supplier_name) AS supplier_key,
       c.source_file, c.source_line
FROM contracts c
JOIN owner w USING (contract_key)
LEFT JOIN contract_categories cc ON cc.contract_key = c.contract_key AND cc.scheme = 'proclass'
LEFT JOIN contract_suppliers cs ON cs.contract_key = c.contract_key
WHERE w.organisation IS NOT NULL
  AND (len($orgs) = 0 OR list_contains($orgs, w.organisation));

-- Each supplier line's contract cover: the member's contracts with the same supplier that were
-- live on the payment date (no start date = live from the start; no end date = still live).
-- A line under several live contracts is shared between them equally (contract_share).
CREATE OR REPLACE TEMP TABLE insight_line_contracts AS
SELECT line_key, contract_key, 1.0 / count(*) OVER (PARTITION BY line_key) AS contract_share
FROM (
    SELECT DISTINCT l.line_key, k.contract_key
    FROM insight_lines l
    JOIN insight_contracts k
      ON k.organisation = l.organisation AND k.supplier_key = l.supplier_key
     AND (k.start_date IS NULL OR k.start_date <= l.payment_date)
     AND (k.end_date IS NULL OR k.end_date >= l.payment_date)
    WHERE l.supplier_key IS NOT NULL
);
