-- Keys the insight analyses group by (docs/methods/collaboration.md, "Keys"). Temporary macros,
-- created on each connection that runs an analysis, so the warehouse file carries no functions.

-- A published supplier name made comparable, for lines supplier resolution has not reached yet
-- (spend_lines.supplier_id NULL). Cut at 35 characters first because Trafford's export cuts every
-- name there: cutting everyone's the same way lets 'Northern Care Services (Manchester) Li' and
-- 'Northern Care Services (Manchester) Limited' meet. Then case, '&'/'+', apostrophes,
-- punctuation, a leading 'The' and one trailing legal form are ignored.
CREATE OR REPLACE TEMP MACRO insight_name_key(t) AS
    nullif(regexp_replace(regexp_replace(trim(regexp_replace(regexp_replace(regexp_replace(
        upper(left(trim(replace(coalesce(t, ''), '&amp;', '&')), 35)),
        '[''’`]', '', 'g'),
        '\s*[&+]\s*', ' AND ', 'g'),
        '[^A-Z0-9]+', ' ', 'g')),
        '^THE ', ''),
        ' (LIMITED|LTD|PLC|LLP|CIC|INC|L|LI|LIM|LIMI|LIMIT|LIMITE)$', ''), '');

-- The supplier a line or contract is with: the resolved entity where resolution has run, else
-- 'name:' and the comparable name (the same key classification uses for its supplier decisions).
CREATE OR REPLACE TEMP MACRO insight_supplier_key(supplier_id, supplier_name) AS
    coalesce(supplier_id, 'name:' || insight_name_key(supplier_name));

-- A published ProClass code that says something ('NA', zeros and 'Not Classified' say nothing).
CREATE OR REPLACE TEMP MACRO insight_published_proclass(code, label) AS
    CASE WHEN code IS NOT NULL AND trim(code) NOT IN ('', 'NA', '0', '000000')
              AND coalesce(lower(trim(label)), '') <> 'not classified'
         THEN trim(code) END;

-- UK public-sector financial year of a date: '2021-22' runs 1 April 2021 to 31 March 2022.
CREATE OR REPLACE TEMP MACRO insight_financial_year(d) AS
    CAST(year(d) - CASE WHEN month(d) < 4 THEN 1 ELSE 0 END AS VARCHAR) || '-'
    || lpad(CAST((year(d) - CASE WHEN month(d) < 4 THEN 1 ELSE 0 END + 1) % 100 AS VARCHAR), 2, '0');

-- A payee that is itself a public body (a council, the combined authority, an NHS body, police,
-- HMRC, a school): money passed between public bodies (levies, pooled budgets, grants) is not
-- bought from a market, so such a payee is never a co-commissioning opportunity. Used when
-- resolution has not said (suppliers.legal_form = 'public body').
CREATE OR REPLACE TEMP MACRO insight_public_name(t) AS
    regexp_matches(upper(coalesce(t, '')),
        '\b(GMCA|TFGM|DCLG|MHCLG|DWP|DFE|COUNCIL|COMBINED AUTH[A-Z]*|GREATER MANCHESTER COMBINED|MENTAL HEALTH NHS|NHS|CLINICAL COMMISSIONING|CCG|POLICE|FIRE AND RESCUE|FIRE & RESCUE|HM REVENUE|HMRC|DEPARTMENT FOR|DEPARTMENT OF|MINISTRY OF|PENSION FUND|PRIMARY SCHOOL|HIGH SCHOOL|ACADEMY TRUST|UNIVERSITY|ENVIRONMENT AGENCY|TRANSPORT FOR)\b');
