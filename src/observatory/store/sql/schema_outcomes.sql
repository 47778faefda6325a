-- Policy outcomes (priority 2): what members enter themselves. The figures (community wealth,
-- carbon, modern-slavery risk, social value, prompt payment) are computed from the warehouse and
-- these tables; see docs/methods/{community-wealth,carbon,modern-slavery,social-value,prompt-payment}.md.
-- supplier_key is suppliers.supplier_id where resolution has run, else 'name:' + the normalised
-- published name (outcome_name in outcomes_macros.sql), so an entry works before resolution too.

-- A supplier's own reported emissions intensity: replaces the spend-based factor for its lines.
CREATE TABLE IF NOT EXISTS supplier_carbon_overrides (
    supplier_key      VARCHAR PRIMARY KEY,
    supplier_name     VARCHAR NOT NULL,       -- as the person typed it
    kgco2e_per_gbp    DOUBLE NOT NULL,        -- supplier's reported intensity (kg CO2e per GBP revenue)
    price_year        INTEGER NOT NULL,       -- the year of the revenue the intensity is per
    low_kgco2e_per_gbp  DOUBLE,               -- the supplier's stated range, else +/-20% (see carbon.md)
    high_kgco2e_per_gbp DOUBLE,
    source            VARCHAR NOT NULL,       -- report, link or page
    entered_by        VARCHAR,
    entered_at        TIMESTAMP DEFAULT current_timestamp
);

-- Carbon Reduction Plans (PPN 006) a supplier has published.
CREATE TABLE IF NOT EXISTS carbon_reduction_plans (
    supplier_key      VARCHAR PRIMARY KEY,
    supplier_name     VARCHAR NOT NULL,
    has_plan          BOOLEAN NOT NULL,
    plan_date         DATE,                   -- date of the plan (or its latest update)
    net_zero_year     INTEGER,
    scopes            VARCHAR[],              -- e.g. ['1', '2', '3.4', '3.5', '3.6', '3.7', '3.9']
    link              VARCHAR,
    entered_by        VARCHAR,
    entered_at        TIMESTAMP DEFAULT current_timestamp
);

-- Modern-slavery evidence a member holds on a supplier.
CREATE TABLE IF NOT EXISTS slavery_evidence (
    supplier_key          VARCHAR PRIMARY KEY,
    supplier_name         VARCHAR NOT NULL,
    turnover_gbp          DECIMAL(18,2),      -- known turnover (s54 applies at >= GBP 36m)
    statement_year        INTEGER,            -- latest s54 statement's financial year
    statement_link        VARCHAR,
    assessment_completed  BOOLEAN,            -- Home Office Modern Slavery Assessment Tool or equivalent
    assessment_date       DATE,
    note                  VARCHAR,
    entered_by            VARCHAR,
    entered_at            TIMESTAMP DEFAULT current_timestamp
);

-- The measures framework a member uses (an example ships in data/social_value_example.csv).
CREATE TABLE IF NOT EXISTS social_value_measures (
    measure_id        VARCHAR PRIMARY KEY,
    theme             VARCHAR NOT NULL,
    outcome           VARCHAR NOT NULL,
    measure           VARCHAR NOT NULL,
    unit              VARCHAR NOT NULL,
    proxy_value       DECIMAL(18,4) NOT NULL, -- GBP per unit
    source            VARCHAR NOT NULL,
    is_example        BOOLEAN NOT NULL,
    note              VARCHAR
);

CREATE SEQUENCE IF NOT EXISTS social_value_seq;

-- What a supplier committed to deliver on a contract.
CREATE TABLE IF NOT EXISTS social_value_commitments (
    commitment_id     BIGINT PRIMARY KEY,
    organisation      VARCHAR NOT NULL,
    contract_ref      VARCHAR NOT NULL,       -- contracts.contract_key or the member's own reference
    supplier_name     VARCHAR,
    measure_id        VARCHAR NOT NULL,
    quantity          DECIMAL(18,4) NOT NULL,
    entered_by        VARCHAR,
    entered_at        TIMESTAMP DEFAULT current_timestamp
);

-- Delivery returns: what was delivered in a period (imported from CSV/XLSX or entered).
CREATE TABLE IF NOT EXISTS social_value_returns (
    return_id         BIGINT PRIMARY KEY,
    organisation      VARCHAR NOT NULL,
    contract_ref      VARCHAR NOT NULL,
    measure_id        VARCHAR NOT NULL,
    period_end        DATE NOT NULL,
    quantity          DECIMAL(18,4) NOT NULL,
    evidence          VARCHAR,
    source_file       VARCHAR,
    source_line       INTEGER,
    entered_at        TIMESTAMP DEFAULT current_timestamp
);
