-- Who buys from whom and in what, per member (after insight_scope.sql). A member "uses" a
-- supplier or category when it made at least one positive payment there in scope: a member whose
-- only line is a credit note does not make a supplier shared.

CREATE OR REPLACE TEMP TABLE insight_supplier_use AS
SELECT l.supplier_key, l.organisation, sum(l.amount) AS amount, count(*) AS lines,
       count(*) FILTER (WHERE l.amount > 0) AS payments,
       median(CAST(l.amount AS DOUBLE)) FILTER (WHERE l.amount > 0) AS median_payment,
       mode() WITHIN GROUP (ORDER BY l.supplier_name) AS published_name,
       sum(l.amount) * 12.0 / any_value(m.months) AS annual_amount
FROM insight_lines l JOIN insight_member_months m USING (organisation)
WHERE l.supplier_key IS NOT NULL
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE insight_supplier_members AS
SELECT u.supplier_key,
       count(*) FILTER (WHERE u.payments > 0) AS members,
       list(u.organisation ORDER BY u.organisation) FILTER (WHERE u.payments > 0) AS member_ids,
       coalesce(any_value(s.canonical_name), arg_max(u.published_name, u.amount)) AS supplier,
       coalesce(any_value(s.legal_form) = 'public body', false)
           OR bool_or(insight_public_name(u.published_name))
           OR insight_public_name(any_value(s.canonical_name)) AS public_body
FROM insight_supplier_use u LEFT JOIN suppliers s ON s.supplier_id = u.supplier_key
GROUP BY u.supplier_key;

CREATE OR REPLACE TEMP TABLE insight_category_use AS
SELECT l.category_code, l.organisation, sum(l.amount) AS amount, count(*) AS lines,
       count(*) FILTER (WHERE l.amount > 0) AS payments,
       count(DISTINCT l.supplier_key) AS suppliers,
       mode() WITHIN GROUP (ORDER BY l.proclass_label) AS published_label,
       sum(l.amount) * 12.0 / any_value(m.months) AS annual_amount
FROM insight_lines l JOIN insight_member_months m USING (organisation)
WHERE l.category_code IS NOT NULL AND NOT l.is_redacted
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE insight_category_members AS
SELECT u.category_code,
       count(*) FILTER (WHERE u.payments > 0) AS members,
       list(u.organisation ORDER BY u.organisation) FILTER (WHERE u.payments > 0) AS member_ids,
       coalesce(any_value(c.label), arg_max(u.published_label, u.amount)) AS category
FROM insight_category_use u
LEFT JOIN category_codes c ON c.scheme = 'proclass' AND c.code = u.category_code
GROUP BY u.category_code;
