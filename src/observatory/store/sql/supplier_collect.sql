-- Every supplier name the warehouse has seen, as records (see schema_suppliers.sql), from the
-- views of supplier_rows.sql.

CREATE OR REPLACE TEMP TABLE resolve_seen AS
SELECT record_key, 'spend' AS source, organisation, supplier_name, company_number, charity_number,
       vat_number, NULL::VARCHAR AS ppon, NULL::VARCHAR AS other_identifier,
       NULL::VARCHAR AS postcode,
       list_sort(list_distinct(list(sme_flag) FILTER (WHERE sme_flag IS NOT NULL))) AS sme_flags,
       list_sort(list_distinct(list(vcse_flag) FILTER (WHERE vcse_flag IS NOT NULL))) AS vcse_flags,
       count(*) AS lines, sum(amount) AS amount,
       min(payment_date) AS first_date, max(payment_date) AS last_date
FROM spend_supplier_rows
GROUP BY record_key, organisation, supplier_name, company_number, charity_number, vat_number
UNION ALL
SELECT record_key, any_value(source), organisation, supplier_name, company_number,
       charity_number, NULL, ppon, other_identifier, postcode,
       list_sort(list_distinct(list(sme_flag) FILTER (WHERE sme_flag IS NOT NULL))),
       [], count(*), NULL, min(contract_date), max(contract_date)
FROM contract_supplier_rows
GROUP BY record_key, organisation, supplier_name, company_number, charity_number, ppon,
         other_identifier, postcode;
