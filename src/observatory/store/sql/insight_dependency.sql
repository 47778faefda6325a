-- Supplier dependency on the network (docs/methods/suppliers-concentration.md): each supplier's
-- annualised income from the members in scope, against the public income the warehouse also
-- sees it receive from elsewhere: spend lines of loaded organisations outside the scope, and
-- contract notices of buyers that are not members (value spread over the contract's years).
WITH other_months AS (
    SELECT organisation, count(DISTINCT date_trunc('month', payment_date)) AS months
    FROM spend_lines
    WHERE NOT (len($orgs) = 0 OR list_contains($orgs, organisation))
    GROUP BY organisation
), other_spend AS (
    SELECT insight_supplier_key(s.supplier_id, s.supplier_name) AS supplier_key,
           sum(s.amount * 12.0 / m.months) AS annual_amount,
           list(DISTINCT s.organisation ORDER BY s.organisation) AS buyers
    FROM spend_lines s JOIN other_months m USING (organisation)
    WHERE NOT s.is_redacted
    GROUP BY ALL
), other_notices AS (
    SELECT insight_supplier_key(cs.supplier_id, cs.supplier_name) AS supplier_key,
           sum(c.value_amount / greatest(1, date_diff('day', c.start_date,
               coalesce(c.current_end_date, c.end_date)) / 365.25)) AS annual_amount,
           list(DISTINCT c.buyer_name ORDER BY c.buyer_name) AS buyers
    FROM contracts c JOIN contract_suppliers cs USING (contract_key)
    WHERE c.organisation IS NULL AND c.value_amount IS NOT NULL
      AND c.contract_key NOT IN (SELECT contract_key FROM insight_contracts)
    GROUP BY ALL
), network AS (
    SELECT u.supplier_key, sum(u.annual_amount) AS network_annual, count(*) AS members,
           max(u.annual_amount) / sum(u.annual_amount) AS largest_member_share,
           arg_max(u.organisation, u.annual_amount) AS largest_member
    FROM insight_supplier_use u WHERE u.amount > 0 GROUP BY u.supplier_key
)
SELECT n.supplier_key, m.supplier, n.members, n.largest_member, n.largest_member_share,
       n.network_annual,
       coalesce(o.annual_amount, 0) + coalesce(x.annual_amount, 0) AS other_public_annual,
       n.network_annual / (n.network_annual + coalesce(o.annual_amount, 0)
                           + coalesce(x.annual_amount, 0)) AS network_share,
       list_concat(coalesce(o.buyers, []), coalesce(x.buyers, [])) AS other_buyers,
       sp.legal_form, sp.is_sme, sp.is_vcse
FROM network n
JOIN insight_supplier_members m USING (supplier_key)
LEFT JOIN other_spend o USING (supplier_key)
LEFT JOIN other_notices x USING (supplier_key)
LEFT JOIN suppliers sp ON sp.supplier_id = n.supplier_key
WHERE NOT m.public_body AND n.network_annual >= $min_annual
ORDER BY network_share DESC, n.network_annual DESC, n.supplier_key;
