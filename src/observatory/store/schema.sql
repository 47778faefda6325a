-- Canonical warehouse tables. Money is DECIMAL(18,2) pounds; every row keeps where it came from.

CREATE TABLE IF NOT EXISTS organisations (
    org_id        VARCHAR PRIMARY KEY,   -- short slug used on the command line (--org)
    name          VARCHAR NOT NULL,
    org_type      VARCHAR,               -- council, nhs, police, fire, housing, other
    ons_code      VARCHAR,               -- ONS local-authority code (E08000009 …)
    identifier    VARCHAR,               -- org-id.guide identifier (GB-GOR-…)
    aliases       VARCHAR[]              -- names publishers use for it in their files
);

CREATE TABLE IF NOT EXISTS source_files (
    sha256        VARCHAR NOT NULL,
    organisation  VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,      -- spend, contracts, ocds
    path          VARCHAR NOT NULL,      -- path as given (member inside a zip after '!')
    encoding      VARCHAR,
    delimiter     VARCHAR,
    header_line   INTEGER,
    header_position VARCHAR,             -- first, last, none
    mapping       JSON,                  -- canonical field -> column
    first_loaded  TIMESTAMP DEFAULT current_timestamp,
    PRIMARY KEY (sha256, organisation, kind)
);

CREATE SEQUENCE IF NOT EXISTS load_seq;

CREATE TABLE IF NOT EXISTS load_receipts (
    load_id          BIGINT PRIMARY KEY,
    loaded_at        TIMESTAMP DEFAULT current_timestamp,
    kind             VARCHAR NOT NULL,
    file             VARCHAR NOT NULL,
    sha256           VARCHAR NOT NULL,
    organisation     VARCHAR,
    rows_read        BIGINT NOT NULL,
    rows_loaded      BIGINT NOT NULL,
    rows_rejected    BIGINT NOT NULL,
    rows_duplicate   BIGINT NOT NULL,
    amount_read      DECIMAL(18,2) NOT NULL,
    amount_loaded    DECIMAL(18,2) NOT NULL,
    amount_rejected  DECIMAL(18,2) NOT NULL,
    amount_duplicate DECIMAL(18,2) NOT NULL
);

CREATE TABLE IF NOT EXISTS spend_lines (
    line_key          VARCHAR NOT NULL,     -- unique; see docs/methods/loading.md (duplicates)
    organisation      VARCHAR NOT NULL,
    load_id           BIGINT NOT NULL,
    source_file       VARCHAR NOT NULL,
    source_sha256     VARCHAR NOT NULL,
    source_row        INTEGER NOT NULL,     -- 1 = first data row after the header
    source_line       INTEGER NOT NULL,     -- physical line (or sheet row) in the file
    source_sheet      VARCHAR,
    payment_date      DATE NOT NULL,        -- the date the line is dated by (see date_basis)
    date_basis        VARCHAR NOT NULL,     -- payment, transaction, invoice, period
    period_date       DATE,
    invoice_date      DATE,
    amount            DECIMAL(18,2) NOT NULL,
    amount_basis      VARCHAR NOT NULL,     -- net, net (gross less VAT), as published, gross
    net_amount        DECIMAL(18,2),
    gross_amount      DECIMAL(18,2),
    vat_amount        DECIMAL(18,2),
    irrecoverable_vat DECIMAL(18,2),
    supplier_name     VARCHAR,              -- as published
    is_redacted       BOOLEAN NOT NULL,
    is_negative       BOOLEAN NOT NULL,
    is_card           BOOLEAN NOT NULL,
    transaction_id    VARCHAR,
    invoice_number    VARCHAR,
    department        VARCHAR,
    service_area      VARCHAR,
    expense_type      VARCHAR,
    purpose           VARCHAR,
    cost_centre       VARCHAR,
    supplier_ref      VARCHAR,
    supplier_company_number VARCHAR,
    supplier_charity_number VARCHAR,
    supplier_vat_number     VARCHAR,
    proclass_code     VARCHAR,
    proclass_label    VARCHAR,
    merchant_category VARCHAR,
    vcse_flag         VARCHAR,
    sme_flag          VARCHAR,
    supplier_id       VARCHAR,              -- filled by supplier resolution
    category_scheme   VARCHAR,              -- filled by classification
    category_code     VARCHAR,
    category_confidence DOUBLE,
    -- zstd: the line as published is kept for evidence and rarely read; zstd writes it about
    -- twice as fast as the default string compressions (benchmarks/bench_load_spend.py).
    raw_text          VARCHAR NOT NULL USING COMPRESSION zstd
);

CREATE TABLE IF NOT EXISTS rejects (
    source_sha256  VARCHAR NOT NULL,
    source_line    INTEGER NOT NULL,
    source_sheet   VARCHAR NOT NULL DEFAULT '',
    kind           VARCHAR NOT NULL,
    organisation   VARCHAR,
    source_file    VARCHAR NOT NULL,
    load_id        BIGINT NOT NULL,
    amount         DECIMAL(18,2),
    reason         VARCHAR NOT NULL,
    raw_text       VARCHAR NOT NULL USING COMPRESSION zstd,
    PRIMARY KEY (source_sha256, source_sheet, source_line, kind)
);

CREATE TABLE IF NOT EXISTS remembered_mappings (
    organisation   VARCHAR NOT NULL,
    layout         VARCHAR NOT NULL,        -- header signature, or 'columns:N' for headerless files
    mapping        JSON NOT NULL,
    saved_at       TIMESTAMP DEFAULT current_timestamp,
    PRIMARY KEY (organisation, layout)
);

-- OCDS releases kept verbatim; one row per (ocid, release id). notice_key ignores the ocid prefix
-- so that one notice republished under another prefix counts once.
CREATE TABLE IF NOT EXISTS releases (
    ocid           VARCHAR NOT NULL,
    release_id     VARCHAR NOT NULL,
    notice_key     VARCHAR NOT NULL,
    release_date   VARCHAR,
    tags           VARCHAR[],
    source_file    VARCHAR NOT NULL,
    organisation   VARCHAR,
    data           JSON NOT NULL,
    source_line    INTEGER,                -- release's position: JSON line, or index in a package
    load_id        BIGINT,
    PRIMARY KEY (ocid, release_id)
);

CREATE TABLE IF NOT EXISTS contracts (
    contract_key     VARCHAR PRIMARY KEY,
    source           VARCHAR NOT NULL,      -- ocds, register
    organisation     VARCHAR,
    source_file      VARCHAR NOT NULL,
    source_line      INTEGER,
    ocid             VARCHAR,
    notice_key       VARCHAR,
    notice_type      VARCHAR,               -- UK1…UK17 where the notice says
    reference        VARCHAR,
    title            VARCHAR,
    description      VARCHAR,
    buyer_name       VARCHAR,
    buyer_id         VARCHAR,
    status           VARCHAR,
    procedure        VARCHAR,
    value_amount     DECIMAL(18,2),
    value_currency   VARCHAR,
    annual_value     DECIMAL(18,2),
    value_includes_vat BOOLEAN,
    start_date       DATE,
    end_date         DATE,
    current_end_date DATE,
    award_date       DATE,
    published_date   DATE,
    cpv_code         VARCHAR,
    proclass_code    VARCHAR,
    proclass_label   VARCHAR,
    department       VARCHAR,
    raw_values       JSON,                  -- values kept as published where a typed field is empty
    parse_notes      VARCHAR[]              -- why a typed field is empty (TBC, X, Various …)
);

CREATE TABLE IF NOT EXISTS contract_suppliers (
    contract_key    VARCHAR NOT NULL,
    supplier_name   VARCHAR,
    scheme          VARCHAR,                -- GB-COH, GB-CHC …
    identifier      VARCHAR,                -- org-id: scheme-id
    company_number  VARCHAR,                -- zero-padded Companies House number
    street_address  VARCHAR,
    locality        VARCHAR,
    postcode        VARCHAR,
    scale           VARCHAR,                -- OCDS details.scale (sme, large) or register SME flag
    sme_flag_raw    VARCHAR,
    supplier_id     VARCHAR
);
