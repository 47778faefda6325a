-- Each member's spend in the 12 months to $as_of (net as published): the basis of its estimate
-- of "relevant spend in the coming year" for the pipeline-notice duty.
SELECT organisation,
       sum(amount) AS last_12_months,
       count(DISTINCT date_trunc('month', payment_date)) AS months,
       any_value(amount_basis) AS amount_basis
FROM spend_lines
WHERE payment_date > $as_of - INTERVAL 12 MONTH AND payment_date <= $as_of
  AND (len($orgs) = 0 OR list_contains($orgs, organisation))
GROUP BY organisation ORDER BY organisation;
