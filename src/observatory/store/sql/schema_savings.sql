-- Savings and benefits register, and the practice library it forms (CPC priorities 1, 1.1, 1.2).
-- Entered by members (`observatory savings add`), never rebuilt by any run.
-- docs/methods/savings.md defines the benefit types and how the report adds them up.

CREATE SEQUENCE IF NOT EXISTS savings_initiative_seq;

CREATE TABLE IF NOT EXISTS savings_initiatives (
    initiative_id   BIGINT PRIMARY KEY,
    title           VARCHAR NOT NULL,
    members         VARCHAR[] NOT NULL,    -- org_ids taking part
    lead_member     VARCHAR,
    category_code   VARCHAR,               -- ProClass code (or CPV) the initiative buys
    category_label  VARCHAR,
    priority        VARCHAR,               -- CPC priority it serves: '1', '1.2', '2.2' …
    benefit_type    VARCHAR NOT NULL,      -- cashable saving, cost avoidance, efficiency, income generation
    baseline        DECIMAL(18,2),         -- annual cost before the initiative (pounds, net of VAT)
    baseline_note   VARCHAR,               -- how the baseline was set (which year's spend, which prices)
    status          VARCHAR NOT NULL,      -- idea, planned, in progress, delivered, closed
    outcome         VARCHAR,               -- achieved, partly achieved, not achieved, too early
    evidence        VARCHAR,               -- what shows the benefit is real (invoices, prices, sign-off)
    summary         VARCHAR,               -- what was done
    route           VARCHAR,               -- procurement route: framework call-off, open procedure …
    lessons         VARCHAR,
    contact         VARCHAR,
    documents       VARCHAR[],             -- links or file names
    opportunity_id  VARCHAR,               -- the `collaborate` opportunity it came from, if any
    recorded_by     VARCHAR,
    recorded_at     TIMESTAMP DEFAULT current_timestamp,
    updated_at      TIMESTAMP DEFAULT current_timestamp
);

-- Amounts by financial year; organisation '' = the initiative as a whole (split equally among its
-- members in per-member reports). basis: forecast or actual.
CREATE TABLE IF NOT EXISTS savings_amounts (
    initiative_id   BIGINT NOT NULL,
    financial_year  VARCHAR NOT NULL,      -- '2024-25'
    organisation    VARCHAR NOT NULL DEFAULT '',
    basis           VARCHAR NOT NULL DEFAULT 'actual',
    amount          DECIMAL(18,2) NOT NULL,
    PRIMARY KEY (initiative_id, financial_year, organisation, basis)
);
