-- Modern-slavery risk per spend line: the industries and goods of data/modern_slavery_risk.csv,
-- matched on the line's SIC group (supplier SIC code, else category mapping) or on keywords in its
-- category label, expense type and purpose; raised where a supplier that must publish a s54
-- statement (turnover >= GBP 36m) has none recorded, lowered for evidence recorded.
-- Needs outcome_lines and ref_slavery_risk (insight/slavery.py). See docs/methods/modern-slavery.md.

-- Match each distinct (SIC group, text) once, not each line: keyword tests are regular expressions.
CREATE OR REPLACE TEMP TABLE slavery_texts AS
SELECT DISTINCT coalesce(supplier_sic_group, category_sic_group) AS sic_group,
       concat_ws(' | ', category_label, expense_type, purpose) AS text
FROM outcome_lines;

CREATE OR REPLACE TEMP TABLE slavery_text_risk AS
WITH m AS (
    SELECT t.sic_group, t.text, r.risk_id, r.industry_or_good, r.score, r.source,
           CASE WHEN list_contains(r.sic_groups, t.sic_group)
                THEN r.industry_or_good || ' (SIC group ' || t.sic_group || ')'
                ELSE r.industry_or_good || ' (named in the line: '
                     || regexp_extract(t.text, '(?i)(' || r.keywords || ')') || ')' END AS reason
    FROM slavery_texts t
    JOIN ref_slavery_risk r
      ON list_contains(r.sic_groups, t.sic_group)
      -- Keywords only where no SIC group speaks for the line ('CONSULTANCY : Construction' is
      -- consultancy), or for goods no SIC group isolates (PPE, solar panels, car washes).
      OR (r.keywords <> '' AND (t.sic_group IS NULL OR len(r.sic_groups) = 0)
          AND regexp_matches(t.text, '(?i)(' || r.keywords || ')'))
)
SELECT sic_group, text, max(score) AS base_score,
       arg_max(risk_id, score) AS risk_id,
       -- (distinct values sorted and joined, written so that Spark plans it too)
       nullif(array_to_string(list_sort(list_distinct(list(reason))), '; '), '') AS reasons,
       nullif(array_to_string(list_sort(list_distinct(list(source))), '; '), '') AS sources
FROM m GROUP BY sic_group, text;

CREATE OR REPLACE TEMP TABLE slavery_lines AS
WITH l AS (
    SELECT o.*, coalesce(o.supplier_sic_group, o.category_sic_group) AS sic_group,
           concat_ws(' | ', o.category_label, o.expense_type, o.purpose) AS text
    FROM outcome_lines o
),
e AS (
    SELECT l.line_key, coalesce(e1.supplier_key, e2.supplier_key) AS evidence_key,
           coalesce(e1.turnover_gbp, e2.turnover_gbp) AS turnover,
           coalesce(e1.statement_year, e2.statement_year) AS statement_year,
           coalesce(e1.assessment_completed, e2.assessment_completed) AS assessed
    FROM l
    LEFT JOIN slavery_evidence e1 ON e1.supplier_key = l.supplier_key
    LEFT JOIN slavery_evidence e2 ON e2.supplier_key = l.name_key
),
scored AS (
    SELECT
        l.line_key, l.organisation, l.year, l.net_amount, l.supplier_key, l.supplier_name,
        l.category, l.category_label, l.sic_group,
        -- Public bodies (HMRC, NHS trusts, councils, combined authorities) are paid taxes, levies
        -- and shared services: outside a supplier risk screen, so not scored (and said so).
        CASE WHEN outcome_form(s.legal_form, l.supplier_name) = 'public body' THEN 0
             ELSE coalesce(r.base_score, 0) END AS base_score,
        r.risk_id,
        CASE WHEN outcome_form(s.legal_form, l.supplier_name) = 'public body'
             THEN 'public body payee: not scored'
             ELSE r.reasons END AS reasons,
        r.sources,
        e.evidence_key IS NOT NULL AS has_evidence,
        -- A statement counts while it is current: the latest two financial years.
        coalesce(e.statement_year >= $this_year - 2, false) AS has_statement,
        coalesce(e.turnover >= 36000000, false) AS statement_required,
        coalesce(e.assessed, false) AS assessed
    FROM l
    LEFT JOIN slavery_text_risk r ON r.sic_group IS NOT DISTINCT FROM l.sic_group AND r.text = l.text
    LEFT JOIN e USING (line_key)
    LEFT JOIN suppliers s ON s.supplier_id = l.supplier_id
)
SELECT *,
    -- Evidence lowers a risky line's score but not below 1: the industry risk remains.
    least(5, greatest(least(base_score, 1),
        base_score
        + CASE WHEN statement_required AND NOT has_statement THEN 1 ELSE 0 END
        - CASE WHEN has_statement THEN 1 ELSE 0 END
        - CASE WHEN assessed THEN 1 ELSE 0 END)) AS score,
    concat_ws('; ',
        reasons,
        CASE WHEN statement_required AND NOT has_statement
             THEN 'turnover >= GBP 36m and no current s54 statement recorded (+1)' END,
        CASE WHEN has_statement THEN 'current s54 statement recorded (-1)' END,
        CASE WHEN assessed THEN 'modern slavery assessment completed (-1)' END) AS reason
FROM scored;
