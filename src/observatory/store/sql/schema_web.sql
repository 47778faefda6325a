-- The web app's own tables: accounts, sessions, API tokens, the audit log, uploads and the
-- records members enter themselves (private to the member unless it shares them).

CREATE SEQUENCE IF NOT EXISTS web_user_seq;

CREATE TABLE IF NOT EXISTS web_users (
    user_id       BIGINT PRIMARY KEY DEFAULT nextval('web_user_seq'),
    email         VARCHAR NOT NULL UNIQUE,   -- stored lower-case
    organisation  VARCHAR NOT NULL,          -- a member's org_id, or 'network' for network staff
    role          VARCHAR NOT NULL,          -- member_analyst, member_admin, network_coordinator, administrator
    password_hash VARCHAR,                   -- argon2id; NULL: cannot log in with a password
    is_demo       BOOLEAN NOT NULL DEFAULT false,
    disabled      BOOLEAN NOT NULL DEFAULT false,
    created_at    TIMESTAMP DEFAULT current_timestamp
);

-- Only a hash of the cookie's secret is kept, so a copy of the warehouse opens no session.
CREATE TABLE IF NOT EXISTS web_sessions (
    session_hash  VARCHAR PRIMARY KEY,
    user_id       BIGINT NOT NULL,
    csrf_token    VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS web_token_seq;

CREATE TABLE IF NOT EXISTS web_api_tokens (
    token_id      BIGINT PRIMARY KEY DEFAULT nextval('web_token_seq'),
    user_id       BIGINT NOT NULL,
    token_hash    VARCHAR NOT NULL UNIQUE,   -- sha256 of the token; the token is shown once
    label         VARCHAR,
    created_at    TIMESTAMP DEFAULT current_timestamp,
    revoked_at    TIMESTAMP
);

CREATE SEQUENCE IF NOT EXISTS web_audit_seq;

-- Every change made through the web app, the API or `observatory users`: who, when, what.
CREATE TABLE IF NOT EXISTS web_audit_log (
    audit_id      BIGINT PRIMARY KEY DEFAULT nextval('web_audit_seq'),
    happened_at   TIMESTAMP NOT NULL DEFAULT current_timestamp,
    user_id       BIGINT,
    email         VARCHAR,
    organisation  VARCHAR,
    action        VARCHAR NOT NULL,          -- login, upload, load, record.create, user.add …
    target        VARCHAR,                   -- what was changed (record id, file, account)
    detail        JSON,
    via           VARCHAR                    -- web, api, cli
);

-- An upload is kept (its files under <warehouse folder>/uploads/) so that a load refused for an
-- unknown layout can be retried with a column mapping without sending the file again.
CREATE TABLE IF NOT EXISTS web_uploads (
    upload_id     VARCHAR PRIMARY KEY,       -- random, not guessable
    organisation  VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,          -- spend, contracts
    user_id       BIGINT NOT NULL,
    created_at    TIMESTAMP DEFAULT current_timestamp,
    files         JSON NOT NULL,             -- [{"name": …, "path": …, "bytes": …}]
    result        JSON                       -- the last attempt's receipts and errors
);

CREATE SEQUENCE IF NOT EXISTS member_record_seq;

-- What a member enters itself (savings, social value returns, supplier evidence, pipeline
-- plans): visible to the member, and to the rest of the network only while shared is true.
CREATE TABLE IF NOT EXISTS member_records (
    record_id     BIGINT PRIMARY KEY DEFAULT nextval('member_record_seq'),
    organisation  VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    title         VARCHAR NOT NULL,
    shared        BOOLEAN NOT NULL DEFAULT false,
    payload       JSON NOT NULL,
    created_by    BIGINT,
    created_at    TIMESTAMP DEFAULT current_timestamp,
    updated_at    TIMESTAMP DEFAULT current_timestamp
);
