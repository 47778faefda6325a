-- Spend lines and contract suppliers with the key of the supplier record each belongs to (views:
-- supplier_collect.sql groups them into records, supplier_fill.sql writes ids back through them).
-- Redacted payees are people, not suppliers: they get no record and no supplier id.

-- One row per spend line that names a supplier, with the key of its record.
CREATE OR REPLACE TEMP VIEW spend_supplier_rows AS
SELECT line_key, organisation, supplier_name, company_number, charity_number, vat_number,
       supplier_record_key('spend', organisation, supplier_name, company_number, charity_number,
                           vat_number, NULL, NULL, NULL) AS record_key,
       sme_flag, vcse_flag, amount, payment_date
FROM (
    SELECT line_key, organisation, trim(supplier_name) AS supplier_name,
           supplier_company_number(supplier_company_number) AS company_number,
           supplier_charity_number(supplier_charity_number) AS charity_number,
           supplier_vat_number(supplier_vat_number) AS vat_number,
           supplier_flag(sme_flag) AS sme_flag, supplier_flag(vcse_flag) AS vcse_flag,
           amount, payment_date
    FROM spend_lines
    WHERE NOT is_redacted AND blank_token(supplier_name) IS NOT NULL
);

-- Contracts name suppliers with an org-id (GB-COH-…, GB-CHC-…, GB-PPON-…) where the source has
-- one; the buyer stands in for the member on OCDS notices from outside the network.
CREATE OR REPLACE TEMP MACRO contract_supplier_key(source, org, name, ch, scheme, identifier, pc) AS
    supplier_record_key(source, org, trim(name),
        coalesce(supplier_company_number(ch),
                 CASE WHEN scheme = 'GB-COH' THEN supplier_company_number(identifier) END),
        CASE WHEN scheme = 'GB-CHC' THEN supplier_charity_number(identifier) END,
        NULL,
        CASE WHEN scheme = 'GB-PPON' THEN supplier_ppon(identifier) END,
        CASE WHEN scheme NOT IN ('GB-COH', 'GB-CHC', 'GB-PPON') THEN identifier END,
        supplier_postcode(pc));

CREATE OR REPLACE TEMP VIEW contract_supplier_rows AS
SELECT c.source, coalesce(c.organisation, c.buyer_name) AS organisation,
       trim(s.supplier_name) AS supplier_name,
       coalesce(supplier_company_number(s.company_number),
                CASE WHEN s.scheme = 'GB-COH' THEN supplier_company_number(s.identifier) END)
           AS company_number,
       CASE WHEN s.scheme = 'GB-CHC' THEN supplier_charity_number(s.identifier) END AS charity_number,
       CASE WHEN s.scheme = 'GB-PPON' THEN supplier_ppon(s.identifier) END AS ppon,
       CASE WHEN s.scheme NOT IN ('GB-COH', 'GB-CHC', 'GB-PPON') THEN s.identifier END
           AS other_identifier,
       supplier_postcode(s.postcode) AS postcode,
       supplier_flag(coalesce(s.scale, s.sme_flag_raw)) AS sme_flag,
       contract_supplier_key(c.source, coalesce(c.organisation, c.buyer_name), s.supplier_name,
                             s.company_number, s.scheme, s.identifier, s.postcode) AS record_key,
       coalesce(c.award_date, c.start_date, c.published_date) AS contract_date
FROM contract_suppliers s
JOIN contracts c USING (contract_key)
WHERE blank_token(s.supplier_name) IS NOT NULL;
