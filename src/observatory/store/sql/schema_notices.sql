-- Procurement Act 2023 notices: the accounts-payable input (invoice and payment dates), the
-- records a member enters itself (pipeline entries, KPIs and their ratings) and the notices drafted
-- from the warehouse. See docs/methods/payments.md and docs/methods/notices.md.

-- One row per invoice line of an accounts-payable extract. line_key is (organisation, invoice
-- content without its payment date, occurrence in the file): a later extract in which an unpaid
-- invoice has been paid fills in payment_date instead of adding the invoice twice.
CREATE TABLE IF NOT EXISTS invoice_payments (
    line_key        VARCHAR PRIMARY KEY,
    organisation    VARCHAR NOT NULL,
    load_id         BIGINT NOT NULL,
    source_file     VARCHAR NOT NULL,
    source_sha256   VARCHAR NOT NULL,
    source_line     INTEGER NOT NULL,       -- physical line (or sheet row) in the file
    source_sheet    VARCHAR,
    invoice_number  VARCHAR,
    supplier_name   VARCHAR,
    invoice_date    DATE,                   -- the date printed on the invoice
    received_date   DATE,                   -- the day the member received it (starts the clock)
    clock_start     DATE NOT NULL,          -- received_date, else invoice_date (see clock_basis)
    clock_basis     VARCHAR NOT NULL,       -- received, invoice date
    due_date        DATE,                   -- the invoice's own due date, where the extract has one
    payment_date    DATE,                   -- NULL: not paid when the extract was taken
    amount          DECIMAL(18,2) NOT NULL, -- as published (net or gross: the extract says which)
    disputed        BOOLEAN,                -- NULL when the flag is neither yes nor no
    disputed_raw    VARCHAR,
    raw_text        VARCHAR NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS pipeline_seq;

-- Procurements a member expects to advertise, entered by the member (UK1 pipeline notice).
CREATE TABLE IF NOT EXISTS pipeline_entries (
    entry_id            BIGINT PRIMARY KEY,
    organisation        VARCHAR NOT NULL,
    title               VARCHAR NOT NULL,
    description         VARCHAR,
    value_amount        DECIMAL(18,2) NOT NULL,
    value_includes_vat  BOOLEAN NOT NULL,
    expected_advert     DATE NOT NULL,       -- expected date of the tender or transparency notice
    expected_start      DATE,
    category            VARCHAR,             -- goods, services, works
    cpv_code            VARCHAR,
    entered_at          TIMESTAMP DEFAULT current_timestamp
);

CREATE SEQUENCE IF NOT EXISTS kpi_seq;

-- Key performance indicators set for a contract (s52: at least three above £5m).
CREATE TABLE IF NOT EXISTS contract_kpis (
    kpi_id          BIGINT PRIMARY KEY,
    contract_key    VARCHAR NOT NULL,
    organisation    VARCHAR,
    title           VARCHAR NOT NULL,
    description     VARCHAR,
    target          VARCHAR,
    entered_at      TIMESTAMP DEFAULT current_timestamp
);

-- A KPI's rating for an assessment period (UK9 contract performance notice).
CREATE TABLE IF NOT EXISTS kpi_ratings (
    kpi_id          BIGINT NOT NULL,
    contract_key    VARCHAR NOT NULL,
    period_start    DATE NOT NULL,
    period_end      DATE NOT NULL,
    rating          VARCHAR NOT NULL,        -- met, slightlyBelow, below, significantlyBelow, other
    notes           VARCHAR,
    entered_at      TIMESTAMP DEFAULT current_timestamp,
    PRIMARY KEY (kpi_id, period_end)
);

-- Notices drafted by `observatory notices draft`, with their validation outcome.
CREATE TABLE IF NOT EXISTS notice_drafts (
    ocid            VARCHAR NOT NULL,
    release_id      VARCHAR NOT NULL,
    notice_type     VARCHAR NOT NULL,        -- UK1, UK7, UK9, UK17
    organisation    VARCHAR NOT NULL,
    contract_key    VARCHAR,
    as_of           DATE NOT NULL,
    release         JSON NOT NULL,
    errors          INTEGER NOT NULL,
    warnings        INTEGER NOT NULL,
    drafted_at      TIMESTAMP DEFAULT current_timestamp,
    PRIMARY KEY (ocid, release_id)
);
