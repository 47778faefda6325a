-- Practice library search (docs/methods/savings.md): every initiative matching at least one
-- query word, scored by where the words appear (title 3, what was done and lessons 2, anything
-- else 1), after the filters. With no words, every initiative passing the filters (score 0).
WITH doc AS (
    SELECT *,
           lower(coalesce(title, '')) AS t_title,
           lower(coalesce(summary, '') || ' ' || coalesce(lessons, '')) AS t_main,
           lower(concat_ws(' ', category_code, category_label, route, evidence, contact,
                           benefit_type, status, outcome, array_to_string(members, ' '),
                           array_to_string(coalesce(documents, []), ' '))) AS t_rest
    FROM savings_initiatives
    WHERE ($category IS NULL OR category_code = $category
           OR lower(coalesce(category_label, '')) LIKE '%' || lower($category) || '%')
      AND ($member IS NULL OR list_contains(members, $member))
      AND ($priority IS NULL OR priority = $priority OR starts_with(priority, $priority || '.'))
      AND ($outcome IS NULL OR lower(outcome) = lower($outcome))
)
SELECT * EXCLUDE (t_title, t_main, t_rest),
       coalesce(list_sum([CASE WHEN contains(t_title, w) THEN 3 ELSE 0 END
                          + CASE WHEN contains(t_main, w) THEN 2 ELSE 0 END
                          + CASE WHEN contains(t_rest, w) THEN 1 ELSE 0 END
                          FOR w IN $words]), 0) AS score
FROM doc
WHERE len($words) = 0
   OR list_sum([CASE WHEN contains(t_title || ' ' || t_main || ' ' || t_rest, w) THEN 1 ELSE 0 END
                FOR w IN $words]) > 0
ORDER BY score DESC, initiative_id;
