-- Parsing of published text into typed values, shared by every loader. Temporary macros: they are
-- created on each connection that loads, so the warehouse file carries no functions.

-- Missing-value tokens publishers use ('NA' in Trafford, 'N/A' in Calderdale).
CREATE OR REPLACE TEMP MACRO blank_token(t) AS
    CASE WHEN t IS NULL OR upper(trim(t)) IN ('', 'NA', 'N/A', '#N/A', 'NULL', 'NONE', '-') THEN NULL
         ELSE trim(t) END;

-- A cell as the loader reads it: a missing-value token or a blank cell is NULL, other text stays
-- as published. Cells longer than 5 characters skip the test: no token is longer.
CREATE OR REPLACE TEMP MACRO cell(x) AS
    CASE WHEN length(x) > 5 THEN x
         WHEN upper(trim(x)) IN ('', 'NA', 'N/A', '#N/A', 'NULL', 'NONE', '-') THEN NULL
         ELSE x END;

-- Currency marks, thousands separators and spaces out; 'œ' is byte 0x9C written where £ was meant.
CREATE OR REPLACE TEMP MACRO amount_text(t) AS
    regexp_replace(trim(t), '[£œ$€\s,]|GBP|Â', '', 'g');

CREATE OR REPLACE TEMP MACRO parse_amount(t) AS
    CASE
        WHEN TRY_CAST(t AS DECIMAL(18,2)) IS NOT NULL THEN TRY_CAST(t AS DECIMAL(18,2))
        WHEN blank_token(t) IS NULL THEN NULL
        WHEN regexp_full_match(amount_text(t), '\(-?[0-9]*\.?[0-9]+\)')
            THEN -abs(TRY_CAST(regexp_extract(amount_text(t), '[0-9]*\.?[0-9]+') AS DECIMAL(18,2)))
        WHEN regexp_full_match(amount_text(t), '[0-9]*\.?[0-9]+-')
            THEN -TRY_CAST(rtrim(amount_text(t), '-') AS DECIMAL(18,2))
        WHEN regexp_full_match(amount_text(t), '[+-]?[0-9]*\.?[0-9]+')
            THEN TRY_CAST(amount_text(t) AS DECIMAL(18,2))
        ELSE NULL
    END;

-- Dates: ISO, d/m/yyyy, d/m/yy (UK order), 3 Apr 2023, 19-May-17, Excel serial numbers.
CREATE OR REPLACE TEMP MACRO date_text(t) AS
    replace(replace(regexp_replace(trim(t), '[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?Z?$', ''), 'Sept', 'Sep'), 'SEPT', 'SEP');

CREATE OR REPLACE TEMP MACRO parse_date_any(d) AS
    CASE
        WHEN regexp_full_match(d, '\d{4}-\d{1,2}-\d{1,2}') THEN TRY_STRPTIME(d, '%Y-%m-%d')
        WHEN regexp_full_match(d, '\d{4}/\d{1,2}/\d{1,2}') THEN TRY_STRPTIME(d, '%Y/%m/%d')
        WHEN regexp_full_match(d, '\d{1,2}[/.-]\d{1,2}[/.-]\d{4}')
            THEN TRY_STRPTIME(regexp_replace(d, '[.-]', '/', 'g'), '%d/%m/%Y')
        WHEN regexp_full_match(d, '\d{1,2}[/.-]\d{1,2}[/.-]\d{2}')
            THEN TRY_STRPTIME(regexp_replace(d, '[.-]', '/', 'g'), '%d/%m/%y')
        WHEN regexp_full_match(d, '\d{1,2}[ -][A-Za-z]{3}[ -]\d{4}')
            THEN TRY_STRPTIME(regexp_replace(d, ' ', '-', 'g'), '%d-%b-%Y')
        WHEN regexp_full_match(d, '\d{1,2}[ -][A-Za-z]{3}[ -]\d{2}')
            THEN TRY_STRPTIME(regexp_replace(d, ' ', '-', 'g'), '%d-%b-%y')
        WHEN regexp_full_match(d, '\d{1,2}[ -][A-Za-z]{4,9}[ -]\d{4}')
            THEN TRY_STRPTIME(regexp_replace(d, ' ', '-', 'g'), '%d-%B-%Y')
        WHEN regexp_full_match(d, '[1-6]\d{4}(\.0+)?')
            THEN (DATE '1899-12-30' + CAST(floor(CAST(d AS DOUBLE)) AS INTEGER))::TIMESTAMP
        ELSE NULL
    END;

-- The common shapes first, on the text as published. A macro's argument is copied into every
-- place it is used, so parse_date_any repeats its argument's cleaning in each test: the cleaning
-- (time of day, 'Sept') runs only on the text that needs it.
CREATE OR REPLACE TEMP MACRO parse_date(t) AS
    CASE WHEN regexp_full_match(t, '\d{4}-\d{2}-\d{2}') THEN TRY_CAST(t AS DATE)
         WHEN regexp_full_match(t, '\d{2}/\d{2}/\d{4}') THEN CAST(TRY_STRPTIME(t, '%d/%m/%Y') AS DATE)
         WHEN contains(t, ':') OR contains(lower(t), 'sept')
             THEN CAST(parse_date_any(date_text(t)) AS DATE)
         ELSE CAST(parse_date_any(trim(t)) AS DATE) END;

-- Payees that are not named: redactions and blanks are kept and flagged, never dropped.
-- CASE, not AND: DuckDB works out both sides of an AND for every row, while a CASE branch runs
-- only on the rows that reach it, so the cheap tests spare most names the full expression.
CREATE OR REPLACE TEMP MACRO redacted_payee(t) AS
    CASE WHEN t IS NULL THEN true
         WHEN length(trim(t)) <= 5 AND upper(trim(t)) IN ('', 'NA', 'N/A', '#N/A', 'NULL', 'NONE', '-') THEN true
         WHEN regexp_matches(t, '(?i)redact|third party|withheld|private individual|personal|protection|disclosed|confidential|direct payment|misc|sundr|various|rebate|^\s*\*|^\s*\d{4}:\d')
             -- A placeholder, not a firm whose name holds the word ('Redactive Publishing',
             -- 'Personal Care Consultants Ltd', 'Disclosure & Barring Service'). Payments to
             -- individuals summed under a period and client group ('2021:01D  Dementia',
             -- Calderdale's personal budgets) or under 'Direct Payments', and a bucket of
             -- payees ('MISCELLANEOUS PAYMENTS BACS', 'Sundry Creditors') or of households
             -- ('ENERGY REBATE GRANTS') name no payee either.
             THEN lower(trim(t)) IN (
                     'third party supplier', 'third party payment', 'private individual',
                     'name redacted', 'payee redacted', 'supplier redacted', 'name withheld',
                     'personal data', 'personal information', 'data protection',
                     'data protection act', 'not disclosed', 'undisclosed', 'confidential',
                     'direct payment', 'direct payments', 'personal budget', 'personal budgets')
                  OR regexp_matches(lower(trim(t)),
                     '^(redact(ed|ion)\b|withheld\b|\*+$|\d{4}:\d{2})|\bredacted personal\b|personal (data|information) redacted'
                     || '|^(miscellaneous|misc|sundry|sundries|various)( (payments?|payees?|suppliers?|creditors?|bacs))*$'
                     || '|^(council tax |energy )*rebates?( grants?| payments?)?$')
         ELSE false END;

-- A card payment named in a transaction id or purpose ('P-Card', 'purchase card'). The cheap
-- 'card' test first: the regular expression runs on the few cells that contain the word.
CREATE OR REPLACE TEMP MACRO is_card_text(t) AS
    CASE WHEN t ILIKE '%card%'
         THEN regexp_matches(t, '(?i)\bp-?\s?card\b|purchase card|procurement card')
         ELSE false END;

CREATE OR REPLACE TEMP MACRO total_label(t) AS
    lower(trim(coalesce(t, ''))) IN ('total', 'totals', 'grand total', 'sub total', 'subtotal', 'total spend', 'report total');

-- A cell where a dd/mm/yyyy date is glued to its neighbours ('25/06/2012900',
-- 'Catch2227/06/2012'): the non-empty parts before the date, the date, and after it.
CREATE OR REPLACE TEMP MACRO unfuse_date(x) AS
    [p FOR p IN [regexp_extract(x, '^(.*?)(\d{2}/\d{2}/\d{4})(.*)$', 1),
                 regexp_extract(x, '^(.*?)(\d{2}/\d{2}/\d{4})(.*)$', 2),
                 regexp_extract(x, '^(.*?)(\d{2}/\d{2}/\d{4})(.*)$', 3)] IF p <> ''];

CREATE OR REPLACE TEMP MACRO fused_date(x) AS
    regexp_matches(coalesce(x, ''), '\d{2}/\d{2}/\d{4}')
    AND NOT regexp_full_match(trim(x), '\d{2}/\d{2}/\d{4}');

-- Companies House numbers as org-id wants them: 8 characters, zero-padded, prefix letters kept
-- (published numbers often lose their leading zeros: 2535986 -> 02535986).
CREATE OR REPLACE TEMP MACRO company_number(x) AS
    CASE
        WHEN regexp_full_match(upper(trim(x)), '\d{1,8}') THEN lpad(trim(x), 8, '0')
        WHEN regexp_full_match(upper(trim(x)), '[A-Z]{2}\d{1,6}')
            THEN upper(trim(x))[1:2] || lpad(upper(trim(x))[3:], 6, '0')
    END;
