-- Where each spend line's supplier is, and what is known of its size and kind, for the
-- community-wealth figures. Needs outcome_lines and the ref_member / ref_region_district tables
-- (insight/wealth.py). See docs/methods/community-wealth.md.

-- Outward code ('WA14') -> the district most of its postcodes lie in, for the flagged fallback
-- (ties go to the lower district code, so a run is repeatable).
CREATE OR REPLACE TEMP TABLE wealth_outward AS
WITH c AS (
    SELECT split_part(postcode, ' ', 1) AS outward, district_code, count(*) AS n
    FROM reference_postcodes WHERE district_code IS NOT NULL GROUP BY ALL
),
r AS (
    SELECT *, row_number() OVER (PARTITION BY outward ORDER BY n DESC, district_code) AS rank,
           n / sum(n) OVER (PARTITION BY outward) AS share
    FROM c
)
SELECT outward, district_code, share FROM r WHERE rank = 1;

-- Every place that gives a supplier an address, keyed the ways a spend line can be joined to it:
-- supplier_id, 'name:' + normalised name, 'coh:' + company number, 'chc:' + charity number.
-- priority: the supplier record first (resolution already weighed its sources), then contract
-- registers and OCDS party addresses, then the registered office from an imported register.
CREATE OR REPLACE TEMP TABLE wealth_addresses AS
SELECT supplier_id AS k, outcome_postcode(postcode) AS postcode, district_code,
       'supplier record' AS source, 1 AS priority
FROM suppliers WHERE postcode IS NOT NULL OR district_code IS NOT NULL
UNION ALL
-- (unnest in the select list, not a lateral join: Spark's optimiser fails on the latter)
SELECT k, outcome_postcode(postcode), NULL, source, 2
FROM (
    SELECT unnest([cs.supplier_id, 'name:' || outcome_name(cs.supplier_name),
                   'coh:' || cs.company_number]) AS k,
           cs.postcode,
           CASE WHEN c.source = 'ocds' THEN 'OCDS party address' ELSE 'contract register' END
               AS source
    FROM contract_suppliers cs
    JOIN contracts c USING (contract_key)
) AS party
WHERE outcome_postcode(postcode) IS NOT NULL AND k IS NOT NULL
UNION ALL
SELECT 'coh:' || company_number, outcome_postcode(postcode), NULL,
       'Companies House registered office', 3
FROM companies_register WHERE postcode IS NOT NULL
UNION ALL
SELECT 'chc:' || charity_number, outcome_postcode(postcode), NULL, 'charity register', 3
FROM charity_register WHERE postcode IS NOT NULL;

-- SME status stated by a contract source (OCDS details.scale or a register's SME column).
CREATE OR REPLACE TEMP TABLE wealth_contract_sme AS
SELECT k, bool_or(sme) AS sme, count(DISTINCT sme) AS opinions
FROM (
    SELECT coalesce(CASE lower(cs.scale) WHEN 'sme' THEN true WHEN 'large' THEN false END,
                    outcome_flag(cs.sme_flag_raw)) AS sme,
           unnest([cs.supplier_id, 'name:' || outcome_name(cs.supplier_name),
                   'coh:' || cs.company_number]) AS k
    FROM contract_suppliers cs
)
WHERE sme IS NOT NULL AND k IS NOT NULL
GROUP BY k;

CREATE OR REPLACE TEMP TABLE wealth_keys AS
SELECT DISTINCT supplier_key, name_key, supplier_id,
       'coh:' || supplier_company_number AS coh, 'chc:' || supplier_charity_number AS chc
FROM outcome_lines WHERE supplier_key <> 'redacted';

-- One address per supplier key: the best source, then the postcode most often given, then the
-- lowest postcode (so a run is repeatable).
CREATE OR REPLACE TEMP TABLE wealth_supplier_address AS
WITH hits AS (
    SELECT w.supplier_key, a.* FROM wealth_keys w JOIN wealth_addresses a ON a.k = w.supplier_key
    UNION ALL
    SELECT w.supplier_key, a.* FROM wealth_keys w JOIN wealth_addresses a ON a.k = w.name_key
    UNION ALL
    SELECT w.supplier_key, a.* FROM wealth_keys w JOIN wealth_addresses a ON a.k = w.coh
    UNION ALL
    SELECT w.supplier_key, a.* FROM wealth_keys w JOIN wealth_addresses a ON a.k = w.chc
),
counted AS (
    SELECT supplier_key, postcode, district_code, source, priority, count(*) AS n
    FROM hits GROUP BY ALL
),
ranked AS (
    SELECT *, row_number() OVER (
        PARTITION BY supplier_key ORDER BY priority, n DESC, postcode, district_code
    ) AS rank
    FROM counted
)
SELECT supplier_key,
       struct_pack(postcode := postcode, district_code := district_code, source := source) AS best
FROM ranked WHERE rank = 1;

CREATE OR REPLACE TEMP TABLE wealth_supplier_location AS
SELECT
    a.supplier_key,
    a.best.postcode AS postcode,
    a.best.source AS address_source,
    coalesce(a.best.district_code, p.district_code, o.district_code) AS district_code,
    CASE WHEN a.best.district_code IS NOT NULL THEN 'supplier record district'
         WHEN p.district_code IS NOT NULL THEN 'postcode lookup'
         WHEN o.district_code IS NOT NULL THEN 'postcode-district fallback (outward code)'
         ELSE 'postcode not in the installed lookup' END AS location_basis,
    o.share AS fallback_share
FROM wealth_supplier_address a
LEFT JOIN reference_postcodes p ON p.postcode = a.best.postcode
LEFT JOIN wealth_outward o ON o.outward = split_part(a.best.postcode, ' ', 1);

CREATE OR REPLACE TEMP TABLE wealth_lines AS
SELECT
    l.line_key, l.organisation, l.year, l.net_amount, l.supplier_key, l.name_key,
    l.supplier_name, l.is_redacted, l.category, l.category_label, l.category_level1,
    l.supplier_company_number, l.supplier_charity_number,
    loc.postcode, loc.district_code, loc.address_source, loc.location_basis,
    m.ons_code AS member_district, m.region_key, m.region_name,
    outcome_form(s.legal_form, l.supplier_name) = 'public body' AS public_body,
    CASE WHEN loc.district_code IS NULL THEN 'unknown'
         WHEN loc.district_code = m.ons_code THEN 'local'
         WHEN rd.district_code IS NOT NULL THEN 'region'
         ELSE 'elsewhere' END AS zone,
    -- SME: stated by the publisher, the supplier record or a contract source; else a legal form
    -- that rules it out (PLC, public body); else unknown.
    CASE WHEN outcome_flag(l.sme_flag) IS NOT NULL THEN outcome_flag(l.sme_flag)
         WHEN s.is_sme IS NOT NULL THEN s.is_sme
         WHEN coalesce(cs1.opinions, cs2.opinions) = 1 THEN coalesce(cs1.sme, cs2.sme)
         WHEN outcome_form(s.legal_form, l.supplier_name) IN ('PLC', 'public body')
             THEN false END AS is_sme,
    CASE WHEN outcome_flag(l.sme_flag) IS NOT NULL THEN 'stated by the publisher (spend file)'
         WHEN s.is_sme IS NOT NULL THEN 'stated by a source (supplier record)'
         WHEN coalesce(cs1.opinions, cs2.opinions) = 1 THEN 'stated by a contract register or notice'
         WHEN outcome_form(s.legal_form, l.supplier_name) IN ('PLC', 'public body')
             THEN 'inferred from legal form'
         ELSE 'unknown' END AS sme_basis,
    CASE WHEN outcome_flag(l.vcse_flag) IS NOT NULL THEN outcome_flag(l.vcse_flag)
         WHEN s.is_vcse IS NOT NULL THEN s.is_vcse
         WHEN l.supplier_charity_number IS NOT NULL THEN true
         WHEN outcome_form(s.legal_form, l.supplier_name)
              IN ('charity', 'CIC', 'co-operative') THEN true
         WHEN outcome_form(s.legal_form, l.supplier_name) IN ('PLC', 'public body')
             THEN false END AS is_vcse,
    CASE WHEN outcome_flag(l.vcse_flag) IS NOT NULL THEN 'stated by the publisher (spend file)'
         WHEN s.is_vcse IS NOT NULL THEN 'stated by a source (supplier record)'
         WHEN l.supplier_charity_number IS NOT NULL THEN 'inferred from legal form (charity number)'
         WHEN outcome_form(s.legal_form, l.supplier_name)
              IN ('charity', 'CIC', 'co-operative', 'PLC', 'public body')
             THEN 'inferred from legal form'
         ELSE 'unknown' END AS vcse_basis
FROM outcome_lines l
LEFT JOIN wealth_supplier_location loc ON loc.supplier_key = l.supplier_key
LEFT JOIN ref_member m ON m.org_id = l.organisation
LEFT JOIN ref_region_district rd ON rd.region_key = m.region_key AND rd.district_code = loc.district_code
LEFT JOIN suppliers s ON s.supplier_id = l.supplier_id
LEFT JOIN wealth_contract_sme cs1 ON cs1.k = l.supplier_key
LEFT JOIN wealth_contract_sme cs2 ON cs2.k = 'coh:' || l.supplier_company_number;
