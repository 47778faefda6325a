-- Supplier concentration per member (docs/methods/suppliers-concentration.md): each member's
-- suppliers ranked by spend in scope, with their share of the member's named spend and the
-- running share; hhi is the Herfindahl-Hirschman index of the member's spend across suppliers
-- (sum of squared percentage shares, 0-10,000), over suppliers with positive net spend.
WITH per AS (
    SELECT u.organisation, u.supplier_key, m.supplier, m.public_body, u.amount, u.annual_amount,
           u.lines
    FROM insight_supplier_use u JOIN insight_supplier_members m USING (supplier_key)
    WHERE u.amount > 0
), shares AS (
    SELECT *, amount / sum(amount) OVER (PARTITION BY organisation) AS share,
           row_number() OVER (PARTITION BY organisation ORDER BY amount DESC, supplier_key) AS rank,
           count(*) OVER (PARTITION BY organisation) AS suppliers
    FROM per
), ranked AS (
    SELECT *, sum(share) OVER (PARTITION BY organisation ORDER BY rank) AS cumulative_share,
           sum(share * share * 10000) OVER (PARTITION BY organisation) AS hhi
    FROM shares
)
SELECT organisation, rank, supplier_key, supplier, public_body, amount, annual_amount, lines,
       share, cumulative_share, hhi, suppliers
FROM ranked
WHERE rank <= $top
ORDER BY organisation, rank;
