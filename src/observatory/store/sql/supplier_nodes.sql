-- Cleaned names for every record, and the name nodes splink compares (one per distinct cleaned
-- name, trading name, identifiers and postcode). Input: resolve_seen (supplier_collect.sql).

-- Last run's ids, before anything is rewritten.
CREATE OR REPLACE TEMP TABLE resolve_previous AS
SELECT record_key, supplier_id, first_resolved FROM supplier_records;

-- Each distinct published name is cleaned once, step by step (macros inline their arguments, so
-- nesting them would clean the same text several times).
CREATE OR REPLACE TEMP TABLE resolve_clean_names AS
WITH marked AS (
    SELECT supplier_name, supplier_marked(supplier_name) AS marked
    FROM (SELECT DISTINCT supplier_name FROM resolve_seen)
), parts AS (
    SELECT supplier_name,
           supplier_legal_part(supplier_forms(supplier_clean_part(
               supplier_unqualified(split_part(marked, ' | ', 1))))) AS name_full,
           CASE WHEN strpos(marked, ' | ') > 0
                THEN nullif(supplier_forms(supplier_clean_part(split_part(marked, ' | ', 2))), '')
           END AS trading_full
    FROM marked
)
SELECT supplier_name, name_full, trading_full,
       nullif(supplier_core_of(name_full), '') AS name_core,
       supplier_core_of(trading_full) AS trading_core,
       supplier_form_hint(name_full, trading_full) AS legal_form_hint
FROM parts;

CREATE OR REPLACE TEMP TABLE resolve_abbreviated AS
SELECT * FROM supplier_abbreviated('resolve_clean_names');

-- An identifier one publisher gives to names that have nothing in common ('NSL Ltd' and
-- 'Aspire' under one company number in a contracts register, 'Gazprom' and 'SSE') is a row
-- mix-up in that publisher's file, not evidence that they are one supplier: for those records
-- it neither links nor forbids a link (the published number stays on the record).
CREATE OR REPLACE TEMP TABLE resolve_doubted_identifiers AS
WITH identifiers AS (
    SELECT source, organisation, supplier_name, 'company_number' AS kind,
           company_number AS identifier
    FROM resolve_seen WHERE company_number IS NOT NULL
    UNION ALL
    SELECT source, organisation, supplier_name, 'charity_number', charity_number
    FROM resolve_seen WHERE charity_number IS NOT NULL
    UNION ALL
    SELECT source, organisation, supplier_name, 'ppon', ppon FROM resolve_seen WHERE ppon IS NOT NULL
), carried AS (
    SELECT i.source, i.organisation, i.kind, i.identifier, n.name_core,
           coalesce(n.trading_core, '') AS trading_core,
           string_split(n.name_core, ' ') AS tokens
    FROM identifiers i
    JOIN resolve_clean_names n USING (supplier_name)
    WHERE n.name_core IS NOT NULL
)
SELECT DISTINCT a.source, a.organisation, a.kind, a.identifier
FROM carried a
JOIN carried b
  ON a.source = b.source AND a.organisation IS NOT DISTINCT FROM b.organisation
 AND a.kind = b.kind AND a.identifier = b.identifier AND a.name_core < b.name_core
WHERE len(list_intersect(a.tokens, b.tokens)) = 0
  AND NOT (a.trading_core <> '' AND a.trading_core IN (b.name_core, b.trading_core))
  AND NOT (b.trading_core <> '' AND b.trading_core = a.name_core);

CREATE OR REPLACE TEMP TABLE resolve_names AS
WITH trusted AS (
    SELECT s.* REPLACE (
        CASE WHEN (s.source, s.organisation, 'company_number', s.company_number) IN
                  (SELECT (source, organisation, kind, identifier) FROM resolve_doubted_identifiers)
             THEN NULL ELSE s.company_number END AS company_number,
        CASE WHEN (s.source, s.organisation, 'charity_number', s.charity_number) IN
                  (SELECT (source, organisation, kind, identifier) FROM resolve_doubted_identifiers)
             THEN NULL ELSE s.charity_number END AS charity_number,
        CASE WHEN (s.source, s.organisation, 'ppon', s.ppon) IN
                  (SELECT (source, organisation, kind, identifier) FROM resolve_doubted_identifiers)
             THEN NULL ELSE s.ppon END AS ppon)
    FROM resolve_seen s
)
SELECT s.record_key, n.name_full, n.name_core, n.trading_core, n.legal_form_hint,
       a.abbreviation, s.company_number, s.charity_number, s.vat_number, s.ppon, s.postcode,
       md5(coalesce(n.name_core, '') || chr(31) || coalesce(n.trading_core, '') || chr(31)
           || coalesce(s.company_number, '') || chr(31) || coalesce(s.charity_number, '')
           || chr(31) || coalesce(s.vat_number, '') || chr(31) || coalesce(s.ppon, '')
           || chr(31) || coalesce(s.postcode, ''))[1:20] AS node_key
FROM trusted s
JOIN resolve_clean_names n USING (supplier_name)
LEFT JOIN resolve_abbreviated a USING (supplier_name);

CREATE OR REPLACE TEMP TABLE resolve_nodes AS
SELECT node_key, any_value(name_full) AS name_full, any_value(name_core) AS name_core,
       any_value(trading_core) AS trading_core, any_value(legal_form_hint) AS legal_form_hint,
       any_value(company_number) AS company_number, any_value(charity_number) AS charity_number,
       any_value(vat_number) AS vat_number, any_value(ppon) AS ppon,
       any_value(postcode) AS postcode, count(*) AS records
FROM resolve_names
GROUP BY node_key;

CREATE OR REPLACE TEMP TABLE resolve_splink_nodes AS
SELECT * FROM supplier_splink_nodes('resolve_nodes');
