-- Spend lines as the classifier sees them (see classify/evidence.py). One row per line with the
-- label it may learn from: a person's decision on the line, else the publisher's own ProClass
-- code ('Not Classified' and NA mean none; a code is six digits, see categories.py). Digits in
-- the purpose are folded to 0 so that invoice numbers do not make every line unique; `doc`
-- groups lines that show the same evidence.
CREATE OR REPLACE TEMP TABLE classify_lines AS
WITH decided AS (
    SELECT target_key AS line_key, arg_max(code, decision_id) AS code,
           arg_max(coalesce(decided_by, 'a person') || coalesce(': ' || note, ''), decision_id) AS why
    FROM category_decisions
    WHERE target = 'line' AND scheme = 'proclass'
    GROUP BY ALL
), lines AS (
    SELECT s.line_key, s.organisation, s.payment_date, s.supplier_id, s.supplier_name,
           s.is_redacted, regexp_replace(s.purpose, '[0-9]+', '0', 'g') AS purpose,
           s.expense_type, s.service_area, s.cost_centre, s.supplier_ref, s.merchant_category,
           CASE WHEN s.amount < 0 THEN '-' ELSE '+' END
               || CAST(floor(log10(abs(s.amount) + 1)) AS INTEGER) AS band,
           CASE WHEN regexp_full_match(s.proclass_code, '[0-9]{6}')
                     AND coalesce(lower(trim(s.proclass_label)), '') <> 'not classified'
                THEN s.proclass_code END AS published_code,
           s.proclass_label AS published_label,
           d.code AS decided_code,
           d.why AS decided_why
    FROM spend_lines s LEFT JOIN decided d USING (line_key)
    /*where*/
)
SELECT *,
       coalesce(decided_code, published_code) AS label,
       hash(organisation, supplier_id, supplier_name, is_redacted, purpose, expense_type,
            service_area, cost_centre, supplier_ref, merchant_category, band) AS doc
FROM lines;
