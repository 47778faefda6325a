-- Registers a user imports, from the staging views resolve/registers.py builds over the
-- published file (columns matched by name): companies_stage, charities_stage, postcodes_stage.
-- Each block is run on its own (split on the '-- register:' lines).

-- register: companies
INSERT OR REPLACE INTO companies_register
SELECT number, any_value(company_name), any_value(status), any_value(category),
       any_value(postcode), any_value(sic_codes), any_value(sic_texts), any_value(incorporated),
       any_value(previous_names), any_value(supplier_core(company_name)), any_value(source_file)
FROM (
    SELECT supplier_company_number(company_number) AS number,
           trim(company_name) AS company_name,
           nullif(trim(status), '') AS status,
           nullif(trim(category), '') AS category,
           supplier_postcode(postcode) AS postcode,
           -- '62020 - Information technology consultancy activities'; 'None Supplied' is none.
           [regexp_extract(s, '^\s*(\d{4,5})', 1) FOR s IN sic_raw
            IF regexp_matches(coalesce(s, ''), '^\s*\d{4,5}\b')
               AND NOT regexp_matches(s, '^\s*0+\s*-')] AS sic_codes,
           [trim(s) FOR s IN sic_raw
            IF nullif(trim(coalesce(s, '')), '') IS NOT NULL
               AND NOT regexp_matches(s, 'None Supplied')] AS sic_texts,
           -- Companies House writes dates dd/mm/yyyy.
           TRY_STRPTIME(nullif(trim(incorporated), ''), '%d/%m/%Y')::DATE AS incorporated,
           [trim(p) FOR p IN previous_raw IF nullif(trim(coalesce(p, '')), '') IS NOT NULL]
               AS previous_names,
           source_file
    FROM companies_stage
    WHERE nullif(trim(company_name), '') IS NOT NULL
)
WHERE number IS NOT NULL
GROUP BY number;

-- register: charities
-- Linked charities (subsidiaries sharing the main number) are left out: linked number 0 only.
INSERT OR REPLACE INTO charity_register
SELECT number, any_value(charity_name), any_value(status), any_value(charity_type),
       any_value(is_cio), any_value(company_number), any_value(postcode), any_value(registered),
       any_value(removed), any_value(latest_income), any_value(supplier_core(charity_name)),
       any_value(source_file)
FROM (
    SELECT supplier_charity_number(charity_number) AS number,
           trim(charity_name) AS charity_name,
           nullif(trim(status), '') AS status,
           nullif(trim(charity_type), '') AS charity_type,
           lower(trim(is_cio)) IN ('true', 't', '1', 'yes') AS is_cio,
           supplier_company_number(company_number) AS company_number,
           supplier_postcode(postcode) AS postcode,
           TRY_CAST(left(trim(registered), 10) AS DATE) AS registered,
           TRY_CAST(left(trim(removed), 10) AS DATE) AS removed,
           TRY_CAST(latest_income AS DECIMAL(18, 2)) AS latest_income,
           source_file
    FROM charities_stage
    WHERE coalesce(trim(linked_number), '0') IN ('0', '')
      AND nullif(trim(charity_name), '') IS NOT NULL
)
WHERE number IS NOT NULL
GROUP BY number;

-- register: postcodes
INSERT OR REPLACE INTO reference_postcodes
SELECT pc, any_value(code), any_value(district_name), any_value(lat), any_value(lon),
       any_value(source_file)
FROM (
    SELECT supplier_postcode(postcode) AS pc, nullif(trim(district_code), '') AS code,
           nullif(trim(district_name), '') AS district_name,
           TRY_CAST(lat AS DOUBLE) AS lat, TRY_CAST(lon AS DOUBLE) AS lon, source_file
    FROM postcodes_stage
)
WHERE pc IS NOT NULL
GROUP BY pc;
