-- Stage a council contracts register: typed columns where the text parses, the published text
-- kept (raw_values) and the reason recorded (parse_notes) where it does not ('TBC', 'X',
-- 'Various'). Placeholders as in stage_spend.sql: "col_FIELD" is g[i] or NULL.
CREATE OR REPLACE TEMP TABLE register_staged AS
WITH cleaned AS (
    SELECT line, raw,
        [CASE WHEN length(x) > 5 THEN trim(x)
              WHEN upper(trim(x)) IN ('', 'NA', 'N/A', '#N/A', 'NULL', 'NONE', '-') THEN NULL
              ELSE trim(x) END
         FOR x IN fields] AS g
    FROM incoming
),
typed AS (
    SELECT line, raw,
        {col_reference} AS reference, {col_title} AS title, {col_description} AS description,
        {col_department} AS department, {col_buyer_name} AS buyer_name,
        {col_supplier_name} AS supplier_name, upper({col_supplier_postcode}) AS supplier_postcode,
        {col_company_number} AS company_number_raw, company_number({col_company_number}) AS company_number,
        {col_charity_number} AS charity_number,
        {col_annual_value} AS annual_value_raw, parse_amount({col_annual_value}) AS annual_value,
        {col_total_value} AS total_value_raw, parse_amount({col_total_value}) AS total_value,
        {col_start_date} AS start_date_raw, parse_date({col_start_date}) AS start_date,
        {col_end_date} AS end_date_raw, parse_date({col_end_date}) AS end_date,
        {col_current_end_date} AS current_end_date_raw, parse_date({col_current_end_date}) AS current_end_date,
        {col_procedure} AS procedure, {col_competed} AS competed,
        {col_sme_flag} AS sme_flag_raw, {col_vcse_flag} AS vcse_flag_raw,
        CASE WHEN regexp_full_match({col_proclass_code}, '\d{{6}}') THEN {col_proclass_code} END
            AS proclass_code, {col_proclass_code} AS proclass_code_raw, {col_proclass_label} AS proclass_label,
        {col_cpv_code} AS cpv_code
    FROM cleaned
)
SELECT *,
    -- Where a typed field is empty although the register says something, keep what it says.
    [n FOR n IN [
        CASE WHEN annual_value IS NULL AND annual_value_raw IS NOT NULL
             THEN 'annual_value: ' || annual_value_raw || ' is not an amount' END,
        CASE WHEN total_value IS NULL AND total_value_raw IS NOT NULL
             THEN 'total_value: ' || total_value_raw || ' is not an amount' END,
        CASE WHEN start_date IS NULL AND start_date_raw IS NOT NULL
             THEN 'start_date: ' || start_date_raw || ' is not a date' END,
        CASE WHEN end_date IS NULL AND end_date_raw IS NOT NULL
             THEN 'end_date: ' || end_date_raw || ' is not a date' END,
        CASE WHEN current_end_date IS NULL AND current_end_date_raw IS NOT NULL
             THEN 'current_end_date: ' || current_end_date_raw || ' is not a date' END,
        CASE WHEN company_number IS NULL AND company_number_raw IS NOT NULL
             THEN 'company_number: ' || company_number_raw || ' is not a company number' END,
        CASE WHEN proclass_code IS NULL AND proclass_code_raw IS NOT NULL
             THEN 'proclass_code: ' || proclass_code_raw || ' is not a ProClass code' END,
        CASE WHEN sme_flag_raw IS NOT NULL AND upper(sme_flag_raw) NOT IN ('YES', 'Y', 'NO', 'N')
             THEN 'sme_flag: ' || sme_flag_raw || ' is neither yes nor no' END
    ] IF n IS NOT NULL] AS parse_notes,
    CASE WHEN title IS NULL AND reference IS NULL AND supplier_name IS NULL
         THEN 'no contract title, reference or supplier' END AS reason,
    md5(concat_ws('|', reference, title, supplier_name, start_date_raw, end_date_raw,
                  total_value_raw, annual_value_raw)) AS content_key
FROM typed;
