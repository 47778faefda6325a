-- Every candidate link between records, strongest kind first (priority), from resolve_names and
-- resolve_pairs (splink's scored node pairs). Deterministic links are stars: each record joins
-- the first record (by key) that shares its identifier or cleaned name.

CREATE OR REPLACE TEMP TABLE resolve_node_reps AS
SELECT node_key, min(record_key) AS record_key FROM resolve_names GROUP BY node_key;

CREATE OR REPLACE TEMP TABLE resolve_links AS
WITH identifiers AS (
    SELECT record_key, 'GB-COH-' || company_number AS identifier
    FROM resolve_names WHERE company_number IS NOT NULL
    UNION ALL
    SELECT record_key, 'GB-CHC-' || charity_number FROM resolve_names WHERE charity_number IS NOT NULL
    UNION ALL
    SELECT record_key, 'GB-PPON-' || ppon FROM resolve_names WHERE ppon IS NOT NULL
), identifier_stars AS (
    SELECT min(record_key) OVER (PARTITION BY identifier) AS record_l, record_key AS record_r,
           'identifier' AS kind, 'both carry ' || identifier AS detail
    FROM identifiers
), name_stars AS (
    SELECT min(record_key) OVER (PARTITION BY name_core) AS record_l, record_key AS record_r,
           'name' AS kind, 'same cleaned name "' || name_core || '"' AS detail
    FROM resolve_names WHERE name_core IS NOT NULL
), abbreviation_stars AS (
    -- 'HMRC' and 'HM Revenue & Customs': one body under its official abbreviation.
    SELECT min(n.record_key) OVER (PARTITION BY n.abbreviation) AS record_l,
           n.record_key AS record_r, 'abbreviation' AS kind,
           '"' || a.abbreviation || '" is ' || a.name || ' (' || a.source || ')' AS detail
    FROM resolve_names n
    JOIN supplier_abbreviations a USING (abbreviation)
), candidates AS (
    SELECT record_l, record_r, kind, detail, NULL::DOUBLE AS match_weight,
           NULL::DOUBLE AS match_probability, 1 AS priority
    FROM identifier_stars WHERE record_l <> record_r
    UNION ALL
    SELECT record_l, record_r, kind, detail, NULL, NULL, 2
    FROM name_stars WHERE record_l <> record_r
    UNION ALL
    SELECT record_l, record_r, kind, detail, NULL, NULL, 2
    FROM abbreviation_stars WHERE record_l <> record_r
    UNION ALL
    SELECT least(l.record_key, r.record_key), greatest(l.record_key, r.record_key), 'model',
           p.detail, p.match_weight, p.match_probability, 3
    FROM resolve_pairs p
    JOIN resolve_node_reps l ON l.node_key = p.node_l
    JOIN resolve_node_reps r ON r.node_key = p.node_r
)
SELECT row_number() OVER (
           ORDER BY priority, match_probability DESC NULLS FIRST, record_l, record_r, detail
       ) - 1 AS ord, *
FROM candidates;
