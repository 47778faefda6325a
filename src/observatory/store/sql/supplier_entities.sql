-- One row per supplier entity, and the evidence for each attribute, from supplier_records and
-- the registers a user imported (Companies House, Charity Commission, postcode lookup).

-- A record's source in words, for evidence ('salford contracts register', 'OCDS notice …').
CREATE OR REPLACE TEMP MACRO supplier_source_label(source, org) AS
    CASE source
        WHEN 'spend' THEN coalesce(org, '?') || ' spend file'
        WHEN 'register' THEN coalesce(org, '?') || ' contracts register'
        WHEN 'ocds' THEN 'OCDS notice (buyer: ' || coalesce(org, '?') || ')'
        ELSE coalesce(source, '?')
    END;

-- Company and charity numbers the records carry (the most used when people merged several).
CREATE OR REPLACE TEMP TABLE entity_numbers AS
SELECT supplier_id,
       arg_max(company_number, lines) FILTER (WHERE company_number IS NOT NULL) AS company_number,
       arg_max(charity_number, lines) FILTER (WHERE charity_number IS NOT NULL) AS charity_number,
       arg_max(record_key, lines) FILTER (WHERE company_number IS NOT NULL) AS company_record,
       arg_max(record_key, lines) FILTER (WHERE charity_number IS NOT NULL) AS charity_record
FROM supplier_records GROUP BY supplier_id;

-- Entities without a number: a cleaned name that exactly one register entry has (and that no
-- other entity already claims) names the legal entity.
CREATE OR REPLACE TEMP TABLE entity_register_names AS
WITH entity_cores AS (
    SELECT DISTINCT r.supplier_id, r.name_core
    FROM supplier_records r JOIN entity_numbers e USING (supplier_id)
    WHERE r.name_core IS NOT NULL
), unique_companies AS (
    SELECT name_core, any_value(company_number) AS company_number
    FROM companies_register WHERE name_core IS NOT NULL
    GROUP BY name_core HAVING count(*) = 1
), unique_charities AS (
    SELECT name_core, any_value(charity_number) AS charity_number
    FROM charity_register WHERE name_core IS NOT NULL
    GROUP BY name_core HAVING count(*) = 1
), company_hits AS (
    SELECT c.supplier_id, any_value(u.company_number) AS company_number,
           any_value(c.name_core) AS name_core
    FROM entity_cores c JOIN unique_companies u USING (name_core)
    JOIN entity_numbers e ON e.supplier_id = c.supplier_id AND e.company_number IS NULL
    GROUP BY c.supplier_id HAVING count(DISTINCT u.company_number) = 1
), charity_hits AS (
    SELECT c.supplier_id, any_value(u.charity_number) AS charity_number,
           any_value(c.name_core) AS name_core
    FROM entity_cores c JOIN unique_charities u USING (name_core)
    JOIN entity_numbers e ON e.supplier_id = c.supplier_id AND e.charity_number IS NULL
    GROUP BY c.supplier_id HAVING count(DISTINCT u.charity_number) = 1
)
SELECT h.supplier_id, h.company_number, NULL::VARCHAR AS charity_number, h.name_core
FROM company_hits h
WHERE h.company_number NOT IN (SELECT company_number FROM entity_numbers WHERE company_number IS NOT NULL)
  AND (SELECT count(*) FROM company_hits x WHERE x.company_number = h.company_number) = 1
UNION ALL
SELECT h.supplier_id, NULL, h.charity_number, h.name_core
FROM charity_hits h
WHERE h.charity_number NOT IN (SELECT charity_number FROM entity_numbers WHERE charity_number IS NOT NULL)
  AND (SELECT count(*) FROM charity_hits x WHERE x.charity_number = h.charity_number) = 1;

CREATE OR REPLACE TEMP TABLE entity_legal AS
SELECT e.supplier_id,
       coalesce(e.company_number, n.company_number, ch.company_number) AS company_number,
       coalesce(e.charity_number, nc.charity_number) AS charity_number,
       e.company_record, e.charity_record,
       n.name_core AS company_name_match, nc.name_core AS charity_name_match
FROM entity_numbers e
LEFT JOIN (SELECT * FROM entity_register_names WHERE company_number IS NOT NULL) n USING (supplier_id)
LEFT JOIN (SELECT * FROM entity_register_names WHERE charity_number IS NOT NULL) nc USING (supplier_id)
LEFT JOIN charity_register ch ON ch.charity_number = coalesce(e.charity_number, nc.charity_number);

-- The body an entity is, when its aliases include an official abbreviation or the body's name
-- written out (supplier_abbreviations): one body only, else none.
CREATE OR REPLACE TEMP TABLE entity_official AS
SELECT r.supplier_id, min(a.name) AS official_name, min(a.legal_form) AS legal_form,
       arg_max(r.record_key, r.lines) AS record_key
FROM supplier_records r
JOIN supplier_abbreviated('supplier_records') x USING (supplier_name)
JOIN supplier_abbreviations a USING (abbreviation)
GROUP BY r.supplier_id
HAVING count(DISTINCT a.abbreviation) = 1;

-- Legal form: the register's category, then a charity number, then what the names or the
-- abbreviations table say (the specific forms first), then the company-number prefix, then
-- 'unknown'.
CREATE OR REPLACE TEMP TABLE entity_form_votes AS
SELECT supplier_id, legal_form_hint AS form, sum(lines) AS weight,
       arg_max(record_key, lines) AS record_key
FROM supplier_records WHERE legal_form_hint IS NOT NULL
GROUP BY supplier_id, legal_form_hint;

CREATE OR REPLACE TEMP TABLE entity_form AS
WITH candidates AS (
    SELECT l.supplier_id,
           CASE
               WHEN c.company_category ILIKE '%community interest%' THEN 'CIC'
               WHEN c.company_category ILIKE '%public limited%' THEN 'PLC'
               WHEN c.company_category ILIKE '%limited liability partnership%' THEN 'LLP'
               WHEN c.company_category ILIKE '%charitable incorporated%' THEN 'charity'
               WHEN l.charity_number IS NOT NULL THEN 'charity'
               ELSE 'company'
           END AS form,
           1 AS rank, 0 AS weight,
           'Companies House register: ' || coalesce(c.company_category, 'company')
               || CASE WHEN l.charity_number IS NOT NULL THEN ', and a registered charity' ELSE '' END
               AS source,
           l.company_record AS record_key
    FROM entity_legal l JOIN companies_register c USING (company_number)
    UNION ALL
    SELECT supplier_id, 'charity', 2, 0, 'registered charity GB-CHC-' || charity_number,
           charity_record
    FROM entity_legal WHERE charity_number IS NOT NULL
    UNION ALL
    SELECT supplier_id, form, 3, weight, 'name says ' || form, record_key
    FROM entity_form_votes WHERE form IN ('PLC', 'LLP', 'CIC')
    UNION ALL
    SELECT supplier_id, legal_form, 3, 0,
           'official abbreviations table: ' || official_name || ', ' || legal_form, record_key
    FROM entity_official WHERE legal_form IS NOT NULL
    UNION ALL
    SELECT supplier_id,
           CASE WHEN company_number[1:2] IN ('OC', 'SO', 'NC') THEN 'LLP' ELSE 'company' END,
           4, 0, 'Companies House number ' || company_number, company_record
    FROM entity_legal WHERE company_number IS NOT NULL
    UNION ALL
    SELECT supplier_id, form, 5, weight, 'name says ' || form, record_key
    FROM entity_form_votes WHERE form NOT IN ('PLC', 'LLP', 'CIC')
)
SELECT supplier_id, arg_min(form, (rank, -weight, form)) AS form,
       arg_min(source, (rank, -weight, form)) AS source,
       arg_min(record_key, (rank, -weight, form)) AS record_key
FROM candidates
GROUP BY supplier_id;

-- SME and VCSE: what publishers' columns say, one vote per record; charities and CICs are VCSE.
CREATE OR REPLACE TEMP TABLE entity_flags AS
SELECT supplier_id,
       count(*) FILTER (WHERE list_contains(sme_flags, 'yes')) AS sme_yes,
       count(*) FILTER (WHERE list_contains(sme_flags, 'no')) AS sme_no,
       count(*) FILTER (WHERE list_contains(vcse_flags, 'yes')) AS vcse_yes,
       count(*) FILTER (WHERE list_contains(vcse_flags, 'no')) AS vcse_no
FROM supplier_records GROUP BY supplier_id;

-- Postcode: the one suppliers' own records give most, else the register's.
CREATE OR REPLACE TEMP TABLE entity_postcode AS
WITH from_records AS (
    SELECT supplier_id, arg_max(postcode, lines) AS postcode, arg_max(record_key, lines) AS record_key,
           arg_max(supplier_source_label(source, organisation), lines) AS source
    FROM supplier_records WHERE postcode IS NOT NULL GROUP BY supplier_id
)
SELECT l.supplier_id,
       coalesce(r.postcode, supplier_postcode(c.postcode), supplier_postcode(ch.postcode)) AS postcode,
       CASE WHEN r.postcode IS NOT NULL THEN r.source
            WHEN supplier_postcode(c.postcode) IS NOT NULL THEN 'Companies House registered office'
            WHEN supplier_postcode(ch.postcode) IS NOT NULL THEN 'Charity Commission contact address'
       END AS source,
       r.record_key
FROM entity_legal l
LEFT JOIN from_records r USING (supplier_id)
LEFT JOIN companies_register c ON c.company_number = l.company_number
LEFT JOIN charity_register ch ON ch.charity_number = l.charity_number;

-- The name to show: the registered name when a register names it, else a body's official name
-- when its aliases include its abbreviation or its name written out ('GMCA', 'Greater
-- Manchester Combined Authori'), else the name the most members use (then the most lines),
-- preferring names not written in capitals and not 34-35 characters long (the length at which
-- Trafford's export cuts names).
CREATE OR REPLACE TEMP TABLE entity_names AS
WITH aliases AS (
    SELECT supplier_id, supplier_name, count(DISTINCT organisation) AS orgs, sum(lines) AS lines
    FROM supplier_records GROUP BY supplier_id, supplier_name
)
SELECT supplier_id,
       coalesce(any_value(o.official_name),
                arg_max(supplier_name, (supplier_name <> upper(supplier_name),
                                        NOT length(supplier_name) BETWEEN 34 AND 35,
                                        orgs, lines, supplier_name))) AS best_alias,
       count(*) AS aliases
FROM aliases LEFT JOIN entity_official o USING (supplier_id) GROUP BY supplier_id;

DELETE FROM suppliers;

INSERT INTO suppliers
SELECT e.supplier_id,
       coalesce(c.company_name, ch.charity_name, n.best_alias) AS canonical_name,
       coalesce(f.form, 'unknown') AS legal_form,
       list_sort(list_distinct(
           [x FOR x IN ['GB-COH-' || l.company_number, 'GB-CHC-' || l.charity_number] IF x IS NOT NULL]
           || coalesce(org_ids.others, []))) AS identifiers,
       l.company_number, l.charity_number, ids.vats,
       CASE WHEN fl.sme_yes > fl.sme_no THEN true WHEN fl.sme_no > fl.sme_yes THEN false END,
       CASE WHEN fl.vcse_yes > 0 OR f.form IN ('charity', 'CIC') THEN true
            WHEN fl.vcse_no > 0 THEN false END,
       p.postcode, pc.district_code, pc.district_name,
       c.sic_codes, coalesce(c.company_status, ch.status), c.incorporated,
       n.aliases, ids.records, ids.members, ids.buyers, ids.spend_lines, ids.spend_amount,
       coalesce(c.company_name, ch.charity_name), current_timestamp
FROM entity_legal l
JOIN (
    SELECT r.supplier_id,
           list_sort(list_distinct(list(r.vat_number) FILTER (WHERE r.vat_number IS NOT NULL))) AS vats,
           count(*) AS records,
           list_sort(list_distinct(list(r.organisation) FILTER (WHERE r.organisation IN (SELECT org_id FROM organisations)))) AS members,
           list_sort(list_distinct(list(r.organisation) FILTER (WHERE r.organisation IS NOT NULL))) AS buyers,
           sum(r.lines) FILTER (WHERE r.source = 'spend') AS spend_lines,
           sum(r.amount) FILTER (WHERE r.source = 'spend') AS spend_amount
    FROM supplier_records r
    GROUP BY r.supplier_id
) ids USING (supplier_id)
JOIN (
    -- Every org-id any record carries (a person's merge may bring two company numbers).
    SELECT supplier_id, list_sort(list_distinct(list(v) FILTER (WHERE v IS NOT NULL))) AS others
    FROM supplier_records,
         LATERAL (SELECT unnest(['GB-PPON-' || ppon, 'GB-COH-' || company_number,
                                 'GB-CHC-' || charity_number, other_identifier]) AS v)
    GROUP BY supplier_id
) org_ids USING (supplier_id)
JOIN entity_numbers e USING (supplier_id)
JOIN entity_names n USING (supplier_id)
LEFT JOIN entity_form f USING (supplier_id)
LEFT JOIN entity_flags fl USING (supplier_id)
LEFT JOIN entity_postcode p USING (supplier_id)
LEFT JOIN reference_postcodes pc ON pc.postcode = p.postcode
LEFT JOIN companies_register c ON c.company_number = l.company_number
LEFT JOIN charity_register ch ON ch.charity_number = l.charity_number;

DELETE FROM supplier_evidence;

INSERT INTO supplier_evidence
SELECT supplier_id, 'legal_form', form, source, record_key FROM entity_form
UNION ALL
SELECT supplier_id, 'identifier', 'GB-COH-' || company_number,
       CASE WHEN company_name_match IS NOT NULL
            THEN 'name "' || company_name_match || '" is one Companies House register entry'
            ELSE 'published with the name' END, company_record
FROM entity_legal WHERE company_number IS NOT NULL
UNION ALL
SELECT supplier_id, 'identifier', 'GB-CHC-' || charity_number,
       CASE WHEN charity_name_match IS NOT NULL
            THEN 'name "' || charity_name_match || '" is one Charity Commission register entry'
            ELSE 'published with the name' END, charity_record
FROM entity_legal WHERE charity_number IS NOT NULL
UNION ALL
SELECT supplier_id, 'identifier', 'GB-PPON-' || ppon, supplier_source_label(source, organisation), record_key
FROM supplier_records WHERE ppon IS NOT NULL
UNION ALL
SELECT supplier_id, 'vat_number', vat_number, supplier_source_label(source, organisation), record_key
FROM supplier_records WHERE vat_number IS NOT NULL
UNION ALL
SELECT supplier_id, 'sme', unnest(sme_flags),
       supplier_source_label(source, organisation)
           || CASE source WHEN 'ocds' THEN ' details.scale / sme' ELSE ' SME column' END,
       record_key
FROM supplier_records WHERE len(sme_flags) > 0
UNION ALL
SELECT supplier_id, 'vcse', unnest(vcse_flags), supplier_source_label(source, organisation) || ' VCSE column', record_key
FROM supplier_records WHERE len(vcse_flags) > 0
UNION ALL
SELECT supplier_id, 'vcse', 'yes', 'legal form ' || form || ' (' || source || ')', record_key
FROM entity_form WHERE form IN ('charity', 'CIC')
UNION ALL
SELECT supplier_id, 'postcode', postcode, source, record_key FROM entity_postcode WHERE postcode IS NOT NULL
UNION ALL
SELECT p.supplier_id, 'district', pc.district_code || ' ' || coalesce(pc.district_name, ''),
       'postcode lookup (' || coalesce(pc.source_file, 'imported') || ')', p.record_key
FROM entity_postcode p JOIN reference_postcodes pc USING (postcode)
UNION ALL
SELECT l.supplier_id, 'sic', unnest(c.sic_texts), 'Companies House register', l.company_record
FROM entity_legal l JOIN companies_register c USING (company_number);
