-- Categories bought by at least $min_members members, with each member's spend.
SELECT m.category_code, m.category, m.members, m.member_ids,
       sum(u.amount) AS amount, sum(u.annual_amount) AS annual_amount,
       list({'organisation': u.organisation, 'amount': u.amount, 'annual_amount': u.annual_amount,
             'lines': u.lines, 'suppliers': u.suppliers}
            ORDER BY u.amount DESC, u.organisation) AS per_member
FROM insight_category_members m JOIN insight_category_use u USING (category_code)
WHERE m.members >= $min_members
GROUP BY ALL
ORDER BY amount DESC, m.category_code;
