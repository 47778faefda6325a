-- Macros the policy-outcome figures share (wealth, carbon, slavery). Temporary: created on each
-- connection that computes them. See docs/methods/community-wealth.md.

-- A supplier name made comparable without resolution: case, '&amp;', punctuation and a trailing
-- legal suffix out ('ACME Ltd.' = 'Acme Limited' = 'acme'). Deliberately simple: it is the fallback
-- key until `observatory resolve` has given lines a supplier_id.
CREATE OR REPLACE TEMP MACRO outcome_name(t) AS
    nullif(trim(regexp_replace(regexp_replace(
        ' ' || regexp_replace(lower(replace(coalesce(t, ''), '&amp;', '&')), '[^a-z0-9]+', ' ', 'g') || ' ',
        '^ the ', ' ', 'g'),
        '( (ltd|limited|plc|llp|co|company|uk))+ *$', '', 'g')), '');

-- Yes/no columns as publishers write them ('Y', 'Yes', 'TRUE', 'sme', 'large' …); NULL otherwise.
CREATE OR REPLACE TEMP MACRO outcome_flag(t) AS
    CASE WHEN upper(trim(t)) IN ('Y', 'YES', 'TRUE', 'T', '1', 'SME', 'VCSE') THEN true
         WHEN upper(trim(t)) IN ('N', 'NO', 'FALSE', 'F', '0', 'LARGE', 'NON-SME') THEN false
         ELSE NULL END;

-- 'm11aa' -> 'M1 1AA' (the inward code is always the last three characters).
CREATE OR REPLACE TEMP MACRO outcome_postcode(p) AS
    CASE WHEN length(regexp_replace(upper(coalesce(p, '')), '[^A-Z0-9]', '', 'g')) BETWEEN 5 AND 7
         THEN substr(regexp_replace(upper(p), '[^A-Z0-9]', '', 'g'), 1,
                     length(regexp_replace(upper(p), '[^A-Z0-9]', '', 'g')) - 3)
              || ' ' || right(regexp_replace(upper(p), '[^A-Z0-9]', '', 'g'), 3)
         ELSE NULL END;

-- Legal form read from a name, where the name says it (used only when no register says).
CREATE OR REPLACE TEMP MACRO outcome_name_form(t) AS
    CASE WHEN regexp_matches(lower(coalesce(t, '')), '\b(cic|community interest company)\b') THEN 'CIC'
         WHEN regexp_matches(lower(coalesce(t, '')), '\b(cio|charitable incorporated)\b') THEN 'charity'
         WHEN regexp_matches(lower(coalesce(t, '')), '\bcharit(y|able)\b') THEN 'charity'
         WHEN regexp_matches(lower(coalesce(t, '')), '\b(co-?operative|community benefit society)\b') THEN 'co-operative'
         WHEN regexp_matches(lower(coalesce(t, '')), '\b(plc|public limited company)\b') THEN 'PLC'
         -- Public bodies and public funds: taxes, levies, pension contributions, pooled budgets.
         WHEN regexp_matches(lower(coalesce(t, '')), '\b(council|nhs|police|fire and rescue|constabulary|hmrc|dwp|dclg|gmca|clinical commissioning|pension fund|teachers pensions)\b|combined authori|combined$|superann') THEN 'public body'
         ELSE NULL END;

-- Legal form: the supplier record's where resolution decided one, else what the name says.
CREATE OR REPLACE TEMP MACRO outcome_form(legal_form, name) AS
    CASE WHEN legal_form IS NOT NULL AND legal_form <> 'unknown' THEN legal_form
         ELSE outcome_name_form(name) END;
