-- Stage one accounts-payable extract: map columns to fields, parse, and decide for every row
-- whether it loads or why it is rejected. Placeholders as in stage_spend.sql: "col_FIELD" is g[i]
-- or NULL, "ncols" the header width, "repeats_header" a test for a header row repeated in the data.
CREATE OR REPLACE TEMP TABLE payments_staged AS
WITH cleaned AS (
    SELECT line, sheet, raw, fields AS f,
        [CASE WHEN length(x) > 5 THEN trim(x)
              WHEN upper(trim(x)) IN ('', 'NA', 'N/A', '#N/A', 'NULL', 'NONE', '-') THEN NULL
              ELSE trim(x) END
         FOR x IN fields] AS g
    FROM incoming
),
typed AS (
    SELECT line, sheet, raw,
        len(f) AS nfields,
        [x FOR x IN f[{ncols} + 1:] IF trim(x) <> ''] AS overflow,
        {col_invoice_number} AS invoice_number,
        {col_supplier_name} AS supplier_name,
        {col_invoice_date} AS invoice_date_raw, parse_date({col_invoice_date}) AS invoice_date,
        {col_received_date} AS received_date_raw, parse_date({col_received_date}) AS received_date,
        {col_due_date} AS due_date_raw, parse_date({col_due_date}) AS due_date,
        {col_payment_date} AS payment_date_raw, parse_date({col_payment_date}) AS payment_date,
        {col_amount} AS amount_raw, parse_amount({col_amount}) AS amount,
        {col_disputed} AS disputed_raw,
        CASE WHEN upper({col_disputed}) IN ('Y', 'YES', 'TRUE', '1', 'D', 'DISPUTED') THEN true
             WHEN {col_disputed} IS NULL OR upper({col_disputed}) IN ('N', 'NO', 'FALSE', '0')
                THEN false
        END AS disputed,
        {repeats_header} AS repeats_header
    FROM cleaned
),
verdict AS (
    SELECT *,
        coalesce(received_date, invoice_date) AS clock_start,
        CASE WHEN received_date IS NOT NULL THEN 'received' ELSE 'invoice date' END AS clock_basis,
        CASE
            WHEN repeats_header THEN 'repeated header row'
            WHEN len(overflow) > 0
                THEN 'row has ' || nfields || ' fields where the header has ' || {ncols}
            WHEN amount_raw IS NULL THEN 'no amount'
            WHEN amount IS NULL THEN 'amount not understood: ' || amount_raw
            WHEN received_date IS NULL AND received_date_raw IS NOT NULL
                THEN 'invoice received date not understood: ' || received_date_raw
            WHEN invoice_date IS NULL AND invoice_date_raw IS NOT NULL
                THEN 'invoice date not understood: ' || invoice_date_raw
            WHEN received_date IS NULL AND invoice_date IS NULL
                THEN 'no invoice received date or invoice date'
            WHEN payment_date IS NULL AND payment_date_raw IS NOT NULL
                THEN 'payment date not understood: ' || payment_date_raw
            WHEN due_date IS NULL AND due_date_raw IS NOT NULL
                THEN 'due date not understood: ' || due_date_raw
            WHEN year(coalesce(received_date, invoice_date)) NOT BETWEEN 1990 AND 2100
                THEN 'date out of range: ' || coalesce(received_date_raw, invoice_date_raw)
            WHEN payment_date < coalesce(received_date, invoice_date)
                THEN 'payment date before the invoice was received: paid '
                     || payment_date_raw || ', received ' || coalesce(received_date_raw, invoice_date_raw)
        END AS reason
    FROM typed
)
-- The key leaves the payment date and the dispute flag out: they are what a later extract of the
-- same invoice may change.
SELECT *,
    CASE WHEN reason IS NULL THEN
        md5(concat_ws('|', coalesce(invoice_number, ''), upper(coalesce(supplier_name, '')),
                      clock_start, coalesce(invoice_date::VARCHAR, ''), amount))
    END AS content_key
FROM verdict;

CREATE OR REPLACE TEMP TABLE payments_keyed AS
SELECT s.sheet, s.line, s.payment_date, s.disputed, s.disputed_raw,
    $organisation || ':' || s.content_key || '#'
        || row_number() OVER (PARTITION BY s.content_key ORDER BY s.sheet, s.line) AS line_key
FROM payments_staged s
WHERE s.reason IS NULL;

-- new: not stored yet; paid_now: stored unpaid and now paid (fills the payment date); the rest
-- are duplicates of what is stored.
CREATE OR REPLACE TEMP TABLE payments_outcome AS
SELECT k.sheet, k.line, k.line_key,
    CASE WHEN p.line_key IS NULL THEN 'new'
         WHEN p.payment_date IS NULL AND k.payment_date IS NOT NULL THEN 'paid_now'
         ELSE 'duplicate' END AS outcome
FROM payments_keyed k
LEFT JOIN (SELECT line_key, payment_date FROM invoice_payments WHERE organisation = $organisation) p
    USING (line_key);
