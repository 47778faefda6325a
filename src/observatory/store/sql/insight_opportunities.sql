-- Co-commissioning opportunities (docs/methods/collaboration.md). A unit is a category or a
-- supplier. Parameters: $as_of, $horizon_months, $window_months, $min_off_contract,
-- $min_combined. Run after insight_scope.sql and insight_shared.sql.

-- Every named line once per unit it belongs to, with whether a live contract covered it.
CREATE OR REPLACE TEMP TABLE insight_unit_lines AS
WITH lines AS (
    SELECT l.*, EXISTS (SELECT 1 FROM insight_line_contracts c WHERE c.line_key = l.line_key)
               AS on_contract
    FROM insight_lines l WHERE l.supplier_key IS NOT NULL
)
SELECT 'category' AS kind, category_code AS unit_key, * FROM lines WHERE category_code IS NOT NULL
UNION ALL
SELECT 'supplier' AS kind, supplier_key AS unit_key, * FROM lines;

CREATE OR REPLACE TEMP TABLE insight_unit_contracts AS
SELECT 'category' AS kind, category_code AS unit_key, * FROM insight_contracts
WHERE category_code IS NOT NULL
UNION ALL
SELECT 'supplier' AS kind, supplier_key AS unit_key, * FROM insight_contracts
WHERE supplier_key IS NOT NULL;

-- Each member's position in each unit: its spend (annualised), the part bought off-contract,
-- and the next end of one of its contracts there.
CREATE OR REPLACE TEMP TABLE insight_unit_members AS
WITH spend AS (
    SELECT u.kind, u.unit_key, u.organisation,
           sum(u.amount) AS amount,
           sum(u.amount) * 12.0 / any_value(m.months) AS annual_amount,
           coalesce(sum(u.amount) FILTER (WHERE NOT u.on_contract), 0) * 12.0 / any_value(m.months)
               AS off_contract_annual,
           count(*) AS lines,
           coalesce(sum(u.amount) FILTER (WHERE u.kind = 'category'
                                          AND u.category_source = 'model'), 0) AS model_amount
    FROM insight_unit_lines u JOIN insight_member_months m USING (organisation)
    GROUP BY ALL
    HAVING count(*) FILTER (WHERE u.amount > 0) > 0
), ends AS (
    SELECT kind, unit_key, organisation,
           min(end_date) FILTER (WHERE end_date >= $as_of) AS next_end,
           sum(DISTINCT annual_value) FILTER (WHERE end_date >= $as_of) AS contract_annual_value,
           list(DISTINCT contract_key ORDER BY contract_key) FILTER (WHERE end_date >= $as_of)
               AS live_contracts
    FROM insight_unit_contracts GROUP BY ALL
)
SELECT kind, unit_key, organisation,
       coalesce(s.amount, 0) AS amount,
       coalesce(s.annual_amount, e.contract_annual_value, 0) AS annual_amount,
       CASE WHEN s.annual_amount IS NOT NULL THEN 'spend' ELSE 'contract annual value' END
           AS annual_basis,
       coalesce(s.off_contract_annual, 0) AS off_contract_annual,
       coalesce(s.lines, 0) AS lines, coalesce(s.model_amount, 0) AS model_amount,
       e.next_end, coalesce(e.live_contracts, []) AS live_contracts,
       e.next_end IS NOT NULL AND e.next_end <= $as_of + to_months($horizon_months) AS ending,
       coalesce(s.off_contract_annual, 0) >= $min_off_contract AS off_contract
FROM spend s FULL JOIN ends e USING (kind, unit_key, organisation);

-- Members who join: those buying off-contract, and those whose contract ends within the window
-- of the first such end in the unit.
CREATE OR REPLACE TEMP TABLE insight_unit_joiners AS
WITH first_end AS (
    SELECT kind, unit_key, min(next_end) FILTER (WHERE ending) AS first_end
    FROM insight_unit_members GROUP BY ALL
)
SELECT m.*, f.first_end,
       CASE WHEN m.ending AND m.next_end <= f.first_end + to_months($window_months)
                THEN 'contract ends ' || strftime(m.next_end, '%Y-%m-%d')
            WHEN m.off_contract THEN 'buys off-contract' END AS reason
FROM insight_unit_members m JOIN first_end f USING (kind, unit_key)
WHERE (m.ending AND m.next_end <= f.first_end + to_months($window_months)) OR m.off_contract;

SELECT j.kind, j.unit_key,
       CASE WHEN j.kind = 'category' THEN any_value(cm.category) ELSE any_value(sm.supplier) END
           AS label,
       count(*) AS members,
       list(j.organisation ORDER BY j.organisation) AS member_ids,
       sum(j.annual_amount) AS combined_annual,
       sum(j.off_contract_annual) AS off_contract_annual,
       CASE WHEN j.kind = 'category' AND sum(j.amount) > 0
            THEN sum(j.model_amount) / sum(j.amount) END AS model_share,
       min(j.next_end) AS first_end,
       max(j.next_end) AS last_end,
       list({'organisation': j.organisation, 'reason': j.reason, 'annual_amount': j.annual_amount,
             'annual_basis': j.annual_basis, 'off_contract_annual': j.off_contract_annual,
             'amount': j.amount, 'lines': j.lines, 'next_end': j.next_end,
             'live_contracts': j.live_contracts}
            ORDER BY j.annual_amount DESC, j.organisation) AS per_member
FROM insight_unit_joiners j
LEFT JOIN insight_category_members cm ON j.kind = 'category' AND cm.category_code = j.unit_key
LEFT JOIN insight_supplier_members sm ON j.kind = 'supplier' AND sm.supplier_key = j.unit_key
WHERE j.kind = 'category' OR NOT coalesce(sm.public_body, false)
GROUP BY j.kind, j.unit_key
HAVING count(*) >= 2 AND sum(j.annual_amount) >= $min_combined
ORDER BY combined_annual DESC;
