-- Off-contract spend (docs/methods/contracts-pipeline.md): per member, named spend in scope whose
-- supplier had no live contract with that member on the payment date. Payments to public bodies
-- (levies, tax, pooled budgets: see insight_public_name) are counted apart, not as off-contract.
SELECT l.organisation,
       coalesce(sum(l.amount) FILTER (WHERE NOT l.is_redacted), 0) AS named_amount,
       coalesce(sum(l.amount) FILTER (WHERE c.line_key IS NOT NULL), 0) AS on_contract_amount,
       coalesce(sum(l.amount) FILTER (WHERE c.line_key IS NULL AND NOT l.is_redacted
                                      AND s.public_body), 0) AS public_body_amount,
       coalesce(sum(l.amount) FILTER (WHERE c.line_key IS NULL AND NOT l.is_redacted
                                      AND NOT s.public_body), 0) AS off_contract_amount,
       coalesce(any_value(k.contracts), 0) AS contracts_loaded
FROM insight_lines l
LEFT JOIN insight_supplier_members s USING (supplier_key)
LEFT JOIN (SELECT DISTINCT line_key FROM insight_line_contracts) c USING (line_key)
-- a join, not a correlated subquery per member: Spark allows those only outside aggregates
LEFT JOIN (SELECT organisation, count(DISTINCT contract_key) AS contracts FROM insight_contracts
           GROUP BY organisation) k ON k.organisation = l.organisation
GROUP BY l.organisation ORDER BY l.organisation;
