-- Network-wide counts (a supplier used by two members counts once).
SELECT (SELECT count(*) FROM insight_supplier_members) AS suppliers,
       (SELECT count(*) FROM insight_supplier_members WHERE members >= $min_members) AS shared_suppliers,
       (SELECT count(*) FROM insight_category_members) AS categories,
       (SELECT count(*) FROM insight_category_members WHERE members >= $min_members) AS shared_categories;
