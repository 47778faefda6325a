-- Supplier names and identifiers as resolution compares them. Temporary macros, created on each
-- connection that resolves (after macros.sql, whose blank_token and company_number they use).
-- docs/methods/supplier-resolution.md explains each rule with the real names that need it.

-- Text as published, made comparable: HTML entities from OCDS (&amp;), accents, case, spaces.
CREATE OR REPLACE TEMP MACRO supplier_text(t) AS
    trim(regexp_replace(lower(strip_accents(
        replace(replace(replace(replace(replace(coalesce(t, ''), '&amp;', '&'), '&#39;', ''''),
                        '&quot;', '"'), '&apos;', ''''), '\n', ' '))), '\s+', ' ', 'g'));

-- A final bracket that holds a registered name of two or more words names the legal entity
-- behind a trading name: 'I Love MCR (I Love Media Ltd)' is 'I Love Media Ltd t/a I Love MCR'.
-- ('Avison Young (UK Ltd)', 'X (Sales Ltd)': one word is a qualifier, not a company's name.)
CREATE OR REPLACE TEMP MACRO supplier_owner_first(x) AS
    CASE WHEN regexp_matches(x, '\bt\s*/\s*as?\b|\btrading\s+as\b') THEN x
         ELSE regexp_replace(x,
             '^([^()]*[^ (])\s*\(((?:[^() ]+ ){2,}(ltd|limited|plc|llp|cic)\.?)\)\s*$', '\2 t/a \1')
    END;

-- 'X Ltd T/A Y', 'X trading as Y': a '|' marks where the trading name starts.
CREATE OR REPLACE TEMP MACRO supplier_marked(t) AS
    regexp_replace(supplier_owner_first(supplier_text(t)),
                   '\s+(t\s*/\s*as?|trading\s+as|t\.\s*a\.)\s+', ' | ', 'g');

-- Punctuation out, '&'/'+' as 'and', references and account numbers out ('BT (ref 4411)',
-- 'SSE - 8700217449 Amenity Lighting'), initials closed up ('U.K.' -> 'uk'), apostrophes dropped
-- ("St Mary's" and "St Marys" are one name), a few abbreviations spelt out.
CREATE OR REPLACE TEMP MACRO supplier_clean_part(t) AS
    trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        ' ' || t || ' ',
        '\(\s*(ref|reference|acc|account|a/c)\b[^)]*\)', ' ', 'g'),
        '\b(ref|reference|acc|account|a/c)\s*(no\.?)?\s*[:.#-]?\s*\d+', ' ', 'g'),
        '\d{6,}', ' ', 'g'),
        '[''’`]', '', 'g'),
        '\s*[&+]\s*', ' and ', 'g'),
        '\b([a-z])\.', '\1', 'g'),
        '[^a-z0-9]+', ' ', 'g'),
        ' (svcs|svc|servs|serv) ', ' services ', 'g'),
        ' (assoc|assn) ', ' association ', 'g'),
        ' (natl) ', ' national ', 'g'),
        ' (intl) ', ' international ', 'g'));

-- Multi-word legal forms as the one word the suffix rule knows.
CREATE OR REPLACE TEMP MACRO supplier_forms(t) AS
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(t,
        '\bpublic limited company\b', 'plc', 'g'),
        '\blimited liability partnership\b', 'llp', 'g'),
        '\bcommunity interest company\b', 'cic', 'g'),
        '\bcharitable incorporated organi[sz]ation\b', 'cio', 'g'),
        '\bco operative\b', 'cooperative', 'g');

-- A registered name ends with its legal form: what a publisher adds after it is a branch, a
-- site or an account ('HC-One Ltd (Kings Park)', 'PCT Healthcare Ltd Boot', 'Horizon Healthcare
-- Homes Limited re Beckside Lodge'), so the name is cut there (never at its first word).
CREATE OR REPLACE TEMP MACRO supplier_legal_cut(x) AS
    trim(regexp_replace(' ' || x || ' ', '^( [^ ]+ .*?(limited|ltd|plc|llp|cic)) .*$', '\1'));

-- A trust is a legal form too: words after it are a school or site of the trust ('Prospere
-- Learning Trust-Pioneer Hse', 'Anchor Trust Beechfield Lodge'), unless they continue its name
-- ('Wildlife Trust for Lancashire', 'X Trust Ltd').
CREATE OR REPLACE TEMP MACRO supplier_legal_part(x) AS
    [CASE WHEN regexp_matches(' ' || y || ' ',
                              ' trust (for|of|in|and|at|the|fund|funds|limited|ltd|plc|llp|cic|cio) ')
          THEN y
          ELSE trim(regexp_replace(' ' || y || ' ', '^( [^ ]+( [^ ]+)*? trust) [^ ].*$', '\1'))
     END
     FOR y IN [supplier_legal_cut(x)]][1];

-- A bracket that ends a name qualifies the whole name: a branch, an account or an acronym
-- ('Cohens Chemist (Altrincham)', 'Methodist Homes (MHA)', 'Trinity Chambers (Leeds)'), also
-- when an export cut it open ('Countrywide Estate Agents (Altrinch') or cut the legal form after
-- it ('Countrywide Estate Agent (Denton) L'). A bracket followed by more
-- words is part of a registered name ('ENGIE Regeneration (Bramall) Ltd') and stays.
CREATE OR REPLACE TEMP MACRO supplier_unqualified(t) AS
    coalesce(nullif(trim(regexp_replace(t,
        '\s*\([^()]*(\)(\s+(l|li|lim|limi|limit|limite|lt))?)?\s*$', '')), ''), t);

-- The legal name as published, cleaned but with its legal form kept.
CREATE OR REPLACE TEMP MACRO supplier_name_full(t) AS
    supplier_legal_part(supplier_forms(supplier_clean_part(
        supplier_unqualified(split_part(supplier_marked(t), ' | ', 1)))));

-- The trading name after 't/a', cleaned the same way (NULL when there is none).
CREATE OR REPLACE TEMP MACRO supplier_trading_full(t) AS
    CASE WHEN strpos(supplier_marked(t), ' | ') > 0
         THEN nullif(supplier_forms(supplier_clean_part(split_part(supplier_marked(t), ' | ', 2))), '')
    END;

-- The distinctive part of a name: legal forms, 'uk', a trailing 'and'/'the' and a leading 'the'
-- out; a final fragment of 'limited' cut off by a 35-character export ('… Services L') out too.
-- Never empty: a name that is only a legal form keeps its cleaned text.
CREATE OR REPLACE TEMP MACRO supplier_core_of(full_name) AS
    coalesce(nullif(trim(regexp_replace(regexp_replace(regexp_replace(
        ' ' || full_name || ' ',
        '^ the ', ' ', ''),
        '( (limited|ltd|plc|llp|lp|cic|cio|inc|incorporated|co|company|corporation|corp|uk|gb|and|the|l|li|lim|limi|limit|limite))+ $', ' ', ''),
        '\s+', ' ', 'g')), ''), full_name);

CREATE OR REPLACE TEMP MACRO supplier_core(t) AS supplier_core_of(supplier_name_full(t));

-- Legal form as the name states it; NULL when the name does not say. Sole traders: a title
-- ('Mr', 'Mrs' …), or initials and a surname trading under another name ('A Rostron t/a …').
CREATE OR REPLACE TEMP MACRO supplier_form_hint(full_name, trading) AS
    CASE
        WHEN regexp_matches(full_name, '\bplc\b') THEN 'PLC'
        WHEN regexp_matches(full_name, '\bllp\b') THEN 'LLP'
        WHEN regexp_matches(full_name, '\bcic\b') THEN 'CIC'
        WHEN regexp_matches(full_name, '\bcio\b') THEN 'charity'
        WHEN regexp_matches(full_name, '\b(ltd|limited)\b') THEN 'company'
        WHEN regexp_matches(full_name,
            '\b(council|borough (council|of)|metropolitan (b[a-z]*|district)|mbc|nhs|hospitals? ?(nhs )?(foundation )?trust|(university|uni) hospitals?|police|constabulary|fire and rescue|combined authori[a-z]*|hm (revenue|courts|land registry|treasury|prison)|hmrc|hmcts|dwp|dvla|(department|dept) (for|of)|ministry of|cabinet office|home office|environment agency|government legal department|(hm|welsh|scottish) government|transport for (london|greater manchester|the north|wales|west midlands)|superann[a-z]*|teachers pensions?|university|college|primary school|high school|school|academy trust|integrated care (board|system)|clinical commissioning|ccg)\b')
            THEN 'public body'
        WHEN regexp_matches(full_name, '\bcharit(y|able)\b') THEN 'charity'
        WHEN regexp_matches(full_name, '^(mr|mrs|ms|miss|dr|mx) ') THEN 'individual/sole trader'
        WHEN trading IS NOT NULL AND regexp_full_match(full_name, '([a-z] ){1,3}[a-z]{2,}')
            THEN 'individual/sole trader'
    END;

-- Identifiers, each in the one form org-id uses (or NULL when the text is not one).
CREATE OR REPLACE TEMP MACRO supplier_company_number(x) AS
    nullif(company_number(regexp_replace(upper(coalesce(blank_token(x), '')), '^GB-COH-|\s', '', 'g')),
           '00000000');

CREATE OR REPLACE TEMP MACRO supplier_charity_number(x) AS
    CASE WHEN regexp_full_match(regexp_replace(upper(coalesce(blank_token(x), '')), '^GB-CHC-|\s', '', 'g'), '\d{5,8}(-\d{1,3})?')
         THEN regexp_replace(regexp_replace(upper(blank_token(x)), '^GB-CHC-|\s', '', 'g'), '-\d+$', '')
    END;

CREATE OR REPLACE TEMP MACRO supplier_vat_number(x) AS
    CASE
        WHEN regexp_full_match(regexp_replace(upper(coalesce(blank_token(x), '')), '[^A-Z0-9]', '', 'g'), '(GB)?(\d{9}|\d{12})')
            THEN 'GB' || regexp_replace(regexp_replace(upper(blank_token(x)), '[^A-Z0-9]', '', 'g'), '^GB', '')
    END;

CREATE OR REPLACE TEMP MACRO supplier_ppon(x) AS
    CASE WHEN regexp_full_match(regexp_replace(upper(coalesce(blank_token(x), '')), '^GB-PPON-|\s', '', 'g'), '[A-Z]{4}-\d{4}-[A-Z]{4}')
         THEN regexp_replace(upper(blank_token(x)), '^GB-PPON-|\s', '', 'g')
    END;

CREATE OR REPLACE TEMP MACRO supplier_postcode(x) AS
    CASE WHEN regexp_full_match(regexp_replace(upper(coalesce(x, '')), '\s', '', 'g'), '[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}')
         THEN regexp_replace(upper(x), '\s', '', 'g')[:-4] || ' ' || regexp_replace(upper(x), '\s', '', 'g')[-3:]
    END;

-- What a publisher's SME or VCSE column says, as yes/no ('Various', blanks: nothing).
CREATE OR REPLACE TEMP MACRO supplier_flag(x) AS
    CASE WHEN lower(trim(x)) IN ('y', 'yes', 'true', 'sme', '1') THEN 'yes'
         WHEN lower(trim(x)) IN ('n', 'no', 'false', 'large', '0') THEN 'no'
    END;

-- A record's key: the same published name and identifiers from the same source and member give
-- the same key on every run (so ids and people's corrections stay attached to it).
CREATE OR REPLACE TEMP MACRO supplier_record_key(source, org, name, ch, chc, vat, ppon, other, pc) AS
    md5(coalesce(source, '') || chr(31) || coalesce(org, '') || chr(31) || coalesce(name, '')
        || chr(31) || coalesce(ch, '') || chr(31) || coalesce(chc, '') || chr(31)
        || coalesce(vat, '') || chr(31) || coalesce(ppon, '') || chr(31) || coalesce(other, '')
        || chr(31) || coalesce(pc, ''))[1:20];

-- What splink sees, for a table of name nodes (node_key, name_core, trading_core, identifiers,
-- postcode, legal_form_hint). Blocking keys: the first two words; the first word when few names start
-- with it; every word after the first (a slip in the first word) when few names share them; the
-- last three words (a site or branch written before the name). rare_words: the words of the name
-- that at most five distinct cleaned names contain (a term-frequency signal: sharing 'aspris'
-- says more than sharing 'services').
CREATE OR REPLACE TEMP MACRO supplier_splink_nodes(node_table) AS TABLE
WITH words AS (
    SELECT node_key, name_core, trading_core, company_number, vat_number, postcode,
           legal_form_hint, string_split(name_core, ' ') AS tokens
    FROM query_table(node_table)
    WHERE name_core IS NOT NULL
), word_counts AS (
    SELECT word, count(*) AS names
    FROM (SELECT DISTINCT name_core, unnest(list_distinct(string_split(name_core, ' '))) AS word
          FROM query_table(node_table) WHERE name_core IS NOT NULL)
    GROUP BY word
), rare AS (
    SELECT w.node_key, list_sort(list(c.word)) AS rare_words
    FROM (SELECT node_key, unnest(list_distinct(tokens)) AS word FROM words) w
    JOIN word_counts c USING (word)
    WHERE c.names <= 5
    GROUP BY w.node_key
), keyed AS (
    SELECT *,
           array_to_string(tokens[1:2], ' ') AS first_words,
           tokens[1] AS first_word,
           CASE WHEN len(tokens) >= 3 THEN array_to_string(tokens[2:], ' ') END AS tail_words,
           CASE WHEN len(tokens) >= 3 THEN array_to_string(tokens[-3:], ' ') END AS last_three
    FROM words
)
SELECT node_key AS unique_id, name_core,
       array_to_string(list_sort(list_distinct(tokens)), ' ') AS name_words,
       list_distinct(tokens) AS name_tokens,
       tokens AS name_sequence,
       coalesce(rare.rare_words, []::VARCHAR[]) AS rare_words,
       regexp_replace(name_core, '[^0-9]', '', 'g') AS name_digits,
       trading_core, company_number, vat_number, postcode,
       split_part(postcode, ' ', 1) AS postcode_district,
       CASE WHEN legal_form_hint IN ('company', 'PLC', 'LLP', 'CIC') THEN legal_form_hint END
           AS registered_form,
       replace(name_core, ' ', '') AS block_squashed,
       array_to_string(string_split(trading_core, ' ')[1:2], ' ') AS block_trading_words,
       CASE WHEN count(*) OVER (PARTITION BY first_words) <= 400 THEN first_words END
           AS block_first_words,
       CASE WHEN count(*) OVER (PARTITION BY first_word) <= 40 THEN first_word END
           AS block_rare_word,
       CASE WHEN count(*) OVER (PARTITION BY tail_words) <= 40 THEN tail_words END
           AS block_last_words,
       CASE WHEN count(*) OVER (PARTITION BY last_three) <= 40 THEN last_three END
           AS block_last_three
FROM keyed LEFT JOIN rare USING (node_key);

-- The official abbreviation a cleaned name stands for (supplier_abbreviations, loaded by
-- resolution from data/supplier_abbreviations.csv): a name that is the abbreviation ('HMRC',
-- 'BT PLC' — unless it carries another legal form: 'X Ltd' is some company), and a name that is
-- the body written out, spaced otherwise ('H M Revenue & Customs') or cut short after 20 or more
-- characters ('Greater Manchester Combined Authori'). A name that could be several bodies cut
-- short ('The Association Of Directors': of adult or of children's services) is none of them.
-- Input: a table with supplier_name, name_core and legal_form_hint (resolve_clean_names,
-- supplier_records).
CREATE OR REPLACE TEMP MACRO supplier_abbreviated(name_table) AS TABLE
SELECT n.supplier_name, any_value(a.abbreviation) AS abbreviation
FROM query_table(name_table) n
JOIN supplier_abbreviations a
  ON (n.name_core = a.abbreviation
      AND coalesce(n.legal_form_hint, 'public body') IN ('public body', a.legal_form))
  OR replace(n.name_core, ' ', '') = replace(a.name_core, ' ', '')
  OR (length(n.name_core) >= 20 AND starts_with(a.name_core, n.name_core))
GROUP BY n.supplier_name
HAVING count(DISTINCT a.abbreviation) = 1;
