-- Categories: code lists as data, a category per spend line and contract with its confidence and
-- reason, and the decisions people make. See docs/methods/classification.md.

-- ProClass (v17 plus codes seen in labelled data), CPV 2008 and SIC 2007, installed by
-- `observatory categories import` from the official files.
CREATE TABLE IF NOT EXISTS category_codes (
    scheme        VARCHAR NOT NULL,      -- proclass, cpv, sic
    code          VARCHAR NOT NULL,      -- ProClass 6 digits; CPV 8 digits (check digit apart); SIC 5
    label         VARCHAR NOT NULL,
    level1        VARCHAR,               -- ProClass level 1 name; CPV division; SIC section letter
    level2        VARCHAR,
    level3        VARCHAR,
    check_digit   VARCHAR,               -- CPV only
    note          VARCHAR,               -- ProClass clarification, or why an extension sits where it does
    origin        VARCHAR NOT NULL,      -- the file it came from, or 'seen in labelled data: ORG'
    PRIMARY KEY (scheme, code)
);

-- One row per spend line after `observatory classify`: where its category came from and why.
CREATE TABLE IF NOT EXISTS line_categories (
    line_key      VARCHAR PRIMARY KEY,
    scheme        VARCHAR NOT NULL,      -- proclass
    code          VARCHAR NOT NULL,
    confidence    DOUBLE NOT NULL,       -- calibrated probability that the code is right
    reason        VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,      -- published, person, model
    run_id        BIGINT NOT NULL
);

-- Contracts and notices: a ProClass and a CPV row each (published ones kept as published).
CREATE TABLE IF NOT EXISTS contract_categories (
    contract_key  VARCHAR NOT NULL,
    scheme        VARCHAR NOT NULL,      -- proclass, cpv
    code          VARCHAR NOT NULL,
    confidence    DOUBLE NOT NULL,
    reason        VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,      -- published, person, model
    run_id        BIGINT NOT NULL,
    PRIMARY KEY (contract_key, scheme)
);

CREATE SEQUENCE IF NOT EXISTS category_decision_seq;

-- A person's decision: it overrides the model and is a training label on the next run.
CREATE TABLE IF NOT EXISTS category_decisions (
    decision_id   BIGINT PRIMARY KEY,
    target        VARCHAR NOT NULL,      -- line, supplier, contract
    target_key    VARCHAR NOT NULL,      -- line_key, supplier key (supplier_id or name:NORMALISED), contract_key
    target_text   VARCHAR,               -- what the person typed
    scheme        VARCHAR NOT NULL,
    code          VARCHAR NOT NULL,
    decided_by    VARCHAR,
    note          VARCHAR,
    decided_at    TIMESTAMP DEFAULT current_timestamp
);

CREATE SEQUENCE IF NOT EXISTS classification_run_seq;

CREATE TABLE IF NOT EXISTS classification_runs (
    run_id        BIGINT PRIMARY KEY,
    started_at    TIMESTAMP DEFAULT current_timestamp,
    scheme        VARCHAR NOT NULL,
    training_lines BIGINT NOT NULL,      -- labelled lines learnt from (published + decisions)
    lines         BIGINT NOT NULL,       -- lines given a category
    contracts     BIGINT NOT NULL,
    seconds       DOUBLE NOT NULL,
    summary       JSON                   -- counts by source, calibration table
);

-- ProClass code -> SIC group of the DEFRA spend-based factor table (data/proclass_sic_groups.csv,
-- applied to every installed ProClass code: the most specific rule wins).
CREATE TABLE IF NOT EXISTS proclass_sic_groups (
    code          VARCHAR PRIMARY KEY,   -- ProClass code
    sic_group     VARCHAR NOT NULL,      -- as written in the DEFRA table (41.2, 23OTHER, 10.2 -3 …)
    matched_on    VARCHAR NOT NULL,      -- code, level 2, level 1
    note          VARCHAR NOT NULL       -- why
);
