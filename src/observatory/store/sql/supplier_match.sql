-- A user's own supplier list against the network's suppliers. Input: match_input (name), a
-- registered table of the distinct names in their file. Output: match_input_nodes (cleaned like
-- supplier names) and match_exact (names whose cleaned form is an alias's).

CREATE OR REPLACE TEMP TABLE match_input_nodes AS
WITH marked AS (
    SELECT name, supplier_marked(name) AS marked FROM match_input WHERE blank_token(name) IS NOT NULL
), parts AS (
    SELECT name,
           supplier_legal_part(supplier_forms(supplier_clean_part(
               supplier_unqualified(split_part(marked, ' | ', 1))))) AS name_full,
           CASE WHEN strpos(marked, ' | ') > 0
                THEN nullif(supplier_forms(supplier_clean_part(split_part(marked, ' | ', 2))), '')
           END AS trading_full
    FROM marked
)
SELECT name, 'outside:' || md5(name) AS node_key, nullif(supplier_core_of(name_full), '') AS name_core,
       supplier_core_of(trading_full) AS trading_core,
       supplier_form_hint(name_full, trading_full) AS legal_form_hint,
       NULL::VARCHAR AS company_number, NULL::VARCHAR AS charity_number,
       NULL::VARCHAR AS vat_number, NULL::VARCHAR AS ppon, NULL::VARCHAR AS postcode
FROM parts;

-- Same cleaned name as an alias: that alias's supplier (the one with most lines when several
-- suppliers share the cleaned name, which only conflicting identifiers allow).
CREATE OR REPLACE TEMP TABLE match_exact AS
SELECT i.name, arg_max(r.supplier_id, r.lines) AS supplier_id,
       arg_max(r.supplier_name, r.lines) AS alias,
       arg_max(r.organisation, r.lines) AS organisation
FROM match_input_nodes i
JOIN supplier_records r ON r.name_core = i.name_core
GROUP BY i.name;

-- A body's official abbreviation for its name written out, or the other way round ('HMRC' /
-- 'HM Revenue & Customs'): the supplier holding the other form.
CREATE OR REPLACE TEMP VIEW match_input_names AS
SELECT name AS supplier_name, name_core, legal_form_hint FROM match_input_nodes;

CREATE OR REPLACE TEMP TABLE match_abbreviated AS
WITH network AS (
    SELECT r.supplier_id, r.supplier_name, r.organisation, r.lines, a.abbreviation
    FROM supplier_records r
    JOIN supplier_abbreviated('supplier_records') a USING (supplier_name)
)
SELECT i.supplier_name AS name, arg_max(n.supplier_id, n.lines) AS supplier_id,
       arg_max(n.supplier_name, n.lines) AS alias,
       arg_max(n.organisation, n.lines) AS organisation, any_value(s.name) AS body
FROM supplier_abbreviated('match_input_names') i
JOIN network n USING (abbreviation)
JOIN supplier_abbreviations s USING (abbreviation)
WHERE i.supplier_name NOT IN (SELECT name FROM match_exact)
GROUP BY i.supplier_name;

-- Blocking keys for both sides are computed over the two together, as resolution does.
CREATE OR REPLACE TEMP TABLE match_all_nodes AS
SELECT node_key, name_core, trading_core, company_number, vat_number, postcode, legal_form_hint
FROM match_input_nodes
WHERE name NOT IN (SELECT name FROM match_exact) AND name NOT IN (SELECT name FROM match_abbreviated)
UNION ALL
SELECT node_key, name_core, trading_core, company_number, vat_number, postcode, legal_form_hint
FROM supplier_nodes;

CREATE OR REPLACE TEMP TABLE match_splink_nodes AS
SELECT * FROM supplier_splink_nodes('match_all_nodes');

-- A network node's supplier: the one most of its records belong to.
CREATE OR REPLACE TEMP TABLE match_node_suppliers AS
SELECT node_key, arg_max(supplier_id, lines) AS supplier_id,
       arg_max(supplier_name, lines) AS alias, arg_max(organisation, lines) AS organisation
FROM supplier_records GROUP BY node_key;
