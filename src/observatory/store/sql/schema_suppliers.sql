-- Supplier resolution: one record per way a supplier is named, one entity per real supplier.
-- See docs/methods/supplier-resolution.md. Every table here is rebuilt by `observatory resolve`
-- except supplier_overrides (people's decisions) and the imported registers, which only people
-- change.

-- A supplier record: one distinct (source, organisation, name as published, identifiers) seen in
-- spend lines or contracts. record_key is a hash of those values, so it is the same on every run.
CREATE TABLE IF NOT EXISTS supplier_records (
    record_key       VARCHAR PRIMARY KEY,
    source           VARCHAR NOT NULL,     -- spend, contract
    organisation     VARCHAR,              -- the member (or OCDS buyer) that used the name
    supplier_name    VARCHAR NOT NULL,     -- as published
    company_number   VARCHAR,              -- zero-padded Companies House number
    charity_number   VARCHAR,              -- England & Wales charity number (GB-CHC)
    vat_number       VARCHAR,              -- GB + 9 or 12 digits
    ppon             VARCHAR,              -- Central Digital Platform PPON (XXXX-9999-XXXX)
    other_identifier VARCHAR,              -- any other org-id the source gives (GB-CQC-…)
    postcode         VARCHAR,              -- normalised 'M1 1AA'
    sme_flags        VARCHAR[],            -- what the source said (register SME, OCDS scale …)
    vcse_flags       VARCHAR[],
    lines            BIGINT NOT NULL,      -- spend lines or contract rows carrying this record
    amount           DECIMAL(18,2),        -- spend on those lines (contracts: NULL)
    first_date       DATE,
    last_date        DATE,
    supplier_id      VARCHAR,              -- the entity it belongs to (kept across runs)
    node_key         VARCHAR,              -- the name node splink compared (see supplier_nodes)
    joined_by        VARCHAR,              -- how it joined its entity: manual, identifier, name, model, seed
    joined_to        VARCHAR,              -- record_key it was linked to when it joined
    join_weight      DOUBLE,               -- splink match weight of that link (model links)
    join_probability DOUBLE,
    name_core        VARCHAR,              -- the cleaned name (see supplier_macros.sql)
    legal_form_hint  VARCHAR,              -- legal form the name states
    first_resolved   TIMESTAMP,
    last_resolved    TIMESTAMP
);

-- What splink compares: one row per distinct normalised name and identifier combination.
CREATE TABLE IF NOT EXISTS supplier_nodes (
    node_key         VARCHAR PRIMARY KEY,
    name_full        VARCHAR,              -- cleaned name with its legal suffix
    name_core        VARCHAR,              -- cleaned name without legal suffix (what matches)
    trading_core     VARCHAR,              -- the part after 't/a', cleaned the same way
    legal_form_hint  VARCHAR,              -- from the name: company, plc, llp, cic, public body …
    company_number   VARCHAR,
    charity_number   VARCHAR,
    vat_number       VARCHAR,
    ppon             VARCHAR,
    postcode         VARCHAR,
    records          BIGINT
);

-- The links used to build entities, with their evidence (what `suppliers show` explains).
CREATE TABLE IF NOT EXISTS supplier_links (
    record_l         VARCHAR NOT NULL,
    record_r         VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL,     -- manual, identifier, name, model
    detail           VARCHAR,              -- 'GB-COH-01234567', 'same cleaned name', level labels
    match_weight     DOUBLE,
    match_probability DOUBLE,
    used             BOOLEAN NOT NULL,     -- joined the two (or they were already one)
    refused          VARCHAR               -- why not: 'below threshold', or the conflicting key
);

CREATE TABLE IF NOT EXISTS suppliers (
    supplier_id      VARCHAR PRIMARY KEY,
    canonical_name   VARCHAR NOT NULL,
    legal_form       VARCHAR NOT NULL,     -- company, PLC, LLP, charity, CIC, public body, individual/sole trader, unknown
    identifiers      VARCHAR[],            -- org-ids: GB-COH-…, GB-CHC-…, GB-PPON-…
    company_number   VARCHAR,
    charity_number   VARCHAR,
    vat_numbers      VARCHAR[],
    is_sme           BOOLEAN,              -- NULL when no source says, or sources disagree
    is_vcse          BOOLEAN,
    postcode         VARCHAR,
    district_code    VARCHAR,              -- local-authority district (ONS code) of the postcode
    district_name    VARCHAR,
    sic_codes        VARCHAR[],            -- from the Companies House register when imported
    company_status   VARCHAR,
    incorporated     DATE,
    aliases          BIGINT NOT NULL,      -- distinct names as published
    records          BIGINT NOT NULL,
    organisations    VARCHAR[],            -- members of the network that used it
    buyers           VARCHAR[],            -- every organisation that used it (OCDS buyers too)
    spend_lines      BIGINT,
    spend_amount     DECIMAL(18,2),
    registered_name  VARCHAR,              -- the name on the Companies House / charity register
    resolved_at      TIMESTAMP
);

-- Where each attribute of an entity came from.
CREATE TABLE IF NOT EXISTS supplier_evidence (
    supplier_id      VARCHAR NOT NULL,
    attribute        VARCHAR NOT NULL,     -- legal_form, identifier, sme, vcse, postcode, district, sic
    value            VARCHAR,
    source           VARCHAR NOT NULL,     -- 'salford contracts register SME column', 'Companies House register' …
    record_key       VARCHAR               -- the record that says so, where one does
);

-- People's corrections. Replayed in order on every run, after the model and before ids.
CREATE SEQUENCE IF NOT EXISTS supplier_override_seq;
CREATE TABLE IF NOT EXISTS supplier_overrides (
    override_id      BIGINT PRIMARY KEY,
    action           VARCHAR NOT NULL,     -- merge, split
    supplier_id      VARCHAR NOT NULL,     -- merge: the id kept; split: the entity split
    other_id         VARCHAR,              -- merge: the id merged in
    record_keys      VARCHAR[] NOT NULL,   -- merge: records of the other entity; split: records moved out
    kept_keys        VARCHAR[],            -- merge: records of the kept entity; split: records left behind
    note             VARCHAR,
    made_by          VARCHAR,
    made_at          TIMESTAMP DEFAULT current_timestamp
);

-- Ids that stopped existing (merged away), so a bookmark to an old id still finds its supplier.
CREATE TABLE IF NOT EXISTS supplier_id_history (
    old_id           VARCHAR NOT NULL,
    new_id           VARCHAR,
    reason           VARCHAR NOT NULL,
    changed_at       TIMESTAMP DEFAULT current_timestamp
);

-- The trained splink model of the last run (JSON), reused by `suppliers match` and evaluation.
CREATE TABLE IF NOT EXISTS supplier_models (
    trained_at       TIMESTAMP NOT NULL,
    nodes            BIGINT,
    model            JSON NOT NULL
);

-- Reference registers a user imports (nothing downloads at run time).
CREATE TABLE IF NOT EXISTS companies_register (
    company_number   VARCHAR PRIMARY KEY,
    company_name     VARCHAR NOT NULL,
    company_status   VARCHAR,
    company_category VARCHAR,
    postcode         VARCHAR,
    sic_codes        VARCHAR[],            -- 5-digit SIC 2007 codes
    sic_texts        VARCHAR[],            -- as published: '62020 - Information technology …'
    incorporated     DATE,
    previous_names   VARCHAR[],
    name_core        VARCHAR,              -- the name cleaned as supplier names are (for matching)
    source_file      VARCHAR
);

CREATE TABLE IF NOT EXISTS charity_register (
    charity_number   VARCHAR PRIMARY KEY,  -- registered charity number (main charity)
    charity_name     VARCHAR NOT NULL,
    status           VARCHAR,              -- Registered, Removed
    charity_type     VARCHAR,
    is_cio           BOOLEAN,
    company_number   VARCHAR,              -- zero-padded, for charitable companies
    postcode         VARCHAR,
    registered       DATE,
    removed          DATE,
    latest_income    DECIMAL(18,2),
    name_core        VARCHAR,
    source_file      VARCHAR
);

CREATE TABLE IF NOT EXISTS reference_postcodes (
    postcode         VARCHAR PRIMARY KEY,  -- normalised 'M1 1AA'
    district_code    VARCHAR,              -- ONS local-authority district code
    district_name    VARCHAR,
    lat              DOUBLE,
    lon              DOUBLE,
    source_file      VARCHAR
);
