-- Savings report (docs/methods/savings.md): amounts per member, benefit type, financial year and
-- basis. A whole-initiative amount (organisation '') is split equally among its members.
WITH split AS (
    SELECT a.financial_year, a.basis, i.benefit_type, i.status, i.initiative_id,
           CASE WHEN a.organisation = '' THEN m.member ELSE a.organisation END AS organisation,
           CASE WHEN a.organisation = '' THEN a.amount / len(i.members) ELSE a.amount END AS amount
    FROM savings_amounts a
    JOIN savings_initiatives i USING (initiative_id)
    LEFT JOIN (SELECT initiative_id, unnest(members) AS member FROM savings_initiatives) m
      ON a.organisation = '' AND m.initiative_id = a.initiative_id
)
SELECT organisation, financial_year, benefit_type, basis,
       sum(amount) AS amount, count(DISTINCT initiative_id) AS initiatives
FROM split
WHERE ($member IS NULL OR organisation = $member)
  AND ($year IS NULL OR financial_year = $year)
GROUP BY ALL
ORDER BY organisation, financial_year, benefit_type, basis;
