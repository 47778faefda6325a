-- Off-contract spend (public bodies apart) by supplier (or by category when $by = 'category') for each member.
SELECT l.organisation,
       CASE WHEN $by = 'category' THEN coalesce(l.category_code, '(uncategorised)')
            ELSE l.supplier_key END AS item_key,
       CASE WHEN $by = 'category' THEN mode() WITHIN GROUP (ORDER BY l.proclass_label)
            ELSE mode() WITHIN GROUP (ORDER BY l.supplier_name) END AS item,
       sum(l.amount) AS off_contract_amount, count(*) AS lines,
       min(l.payment_date) AS first_date, max(l.payment_date) AS last_date
FROM insight_lines l
JOIN insight_supplier_members s USING (supplier_key)
LEFT JOIN (SELECT DISTINCT line_key FROM insight_line_contracts) c USING (line_key)
WHERE c.line_key IS NULL AND NOT l.is_redacted AND NOT s.public_body
GROUP BY ALL
HAVING sum(l.amount) > 0
ORDER BY l.organisation, off_contract_amount DESC, item_key;
