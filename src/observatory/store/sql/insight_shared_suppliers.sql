-- Suppliers used by at least $min_members members, with each member's spend (as spent in scope
-- and annualised over the member's months covered).
SELECT m.supplier_key, m.supplier, m.members, m.member_ids,
       sum(u.amount) AS amount, sum(u.annual_amount) AS annual_amount,
       list({'organisation': u.organisation, 'amount': u.amount, 'annual_amount': u.annual_amount,
             'lines': u.lines, 'published_name': u.published_name}
            ORDER BY u.amount DESC, u.organisation) AS per_member
FROM insight_supplier_members m JOIN insight_supplier_use u USING (supplier_key)
WHERE m.members >= $min_members
GROUP BY ALL
ORDER BY amount DESC, m.supplier_key;
