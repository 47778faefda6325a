-- Every staged line's category (classify/classification.py). Precedence: a person's decision on
-- the line, the publisher's code, a person's decision on the supplier, the model.
DELETE FROM line_categories WHERE line_key IN (SELECT line_key FROM classify_lines);

INSERT INTO line_categories
SELECT l.line_key, 'proclass',
       CASE WHEN l.decided_code IS NOT NULL THEN l.decided_code
            WHEN l.published_code IS NOT NULL THEN l.published_code
            WHEN p.supplier_code IS NOT NULL THEN p.supplier_code
            ELSE p.code END,
       CASE WHEN l.decided_code IS NOT NULL OR l.published_code IS NOT NULL
                 OR p.supplier_code IS NOT NULL THEN 1.0
            ELSE p.confidence END,
       CASE WHEN l.decided_code IS NOT NULL THEN 'decided by ' || l.decided_why
            WHEN l.published_code IS NOT NULL
                THEN 'published by ' || l.organisation || ': '
                     || coalesce(l.published_label, l.published_code)
            WHEN p.supplier_code IS NOT NULL THEN 'supplier decided by ' || p.supplier_why
            ELSE p.reason END,
       CASE WHEN l.decided_code IS NOT NULL THEN 'person'
            WHEN l.published_code IS NOT NULL THEN 'published'
            WHEN p.supplier_code IS NOT NULL THEN 'person'
            ELSE 'model' END,
       $run_id
FROM classify_lines l JOIN classify_predictions p USING (doc);

UPDATE spend_lines SET category_scheme = c.scheme, category_code = c.code,
       category_confidence = c.confidence
FROM line_categories c
WHERE spend_lines.line_key = c.line_key
  AND spend_lines.line_key IN (SELECT line_key FROM classify_lines);
