-- Store the staged extract: new invoices, payment dates for invoices stored as unpaid, and every
-- rejected row with its reason and raw text.
INSERT INTO invoice_payments (line_key, organisation, load_id, source_file, source_sha256,
    source_line, source_sheet, invoice_number, supplier_name, invoice_date, received_date,
    clock_start, clock_basis, due_date, payment_date, amount, disputed, disputed_raw, raw_text)
SELECT o.line_key, $organisation, $load_id, $source_file, $sha256, s.line, nullif(s.sheet, ''),
    s.invoice_number, s.supplier_name, s.invoice_date, s.received_date, s.clock_start,
    s.clock_basis, s.due_date, s.payment_date, s.amount, s.disputed, s.disputed_raw, s.raw
FROM payments_outcome o JOIN payments_staged s USING (sheet, line)
WHERE o.outcome = 'new';

UPDATE invoice_payments AS p
SET payment_date = s.payment_date, disputed = s.disputed, disputed_raw = s.disputed_raw
FROM payments_outcome o JOIN payments_staged s USING (sheet, line)
WHERE o.outcome = 'paid_now' AND p.line_key = o.line_key;

INSERT OR IGNORE INTO rejects
SELECT $sha256, line, sheet, 'payments', $organisation, $source_file, $load_id, amount, reason, raw
FROM payments_staged
WHERE reason IS NOT NULL;

-- Counts and pounds for the receipt (read = loaded + rejected + duplicate; a payment date filled
-- in counts as loaded).
SELECT
    count(*) AS rows_read,
    count(*) FILTER (WHERE o.outcome IN ('new', 'paid_now')) AS rows_loaded,
    count(*) FILTER (WHERE s.reason IS NOT NULL) AS rows_rejected,
    count(*) FILTER (WHERE o.outcome = 'duplicate') AS rows_duplicate,
    coalesce(sum(s.amount), 0) AS amount_read,
    coalesce(sum(s.amount) FILTER (WHERE o.outcome IN ('new', 'paid_now')), 0) AS amount_loaded,
    coalesce(sum(s.amount) FILTER (WHERE s.reason IS NOT NULL), 0) AS amount_rejected,
    coalesce(sum(s.amount) FILTER (WHERE o.outcome = 'duplicate'), 0) AS amount_duplicate,
    count(*) FILTER (WHERE o.outcome = 'paid_now') AS paid_now
FROM payments_staged s
LEFT JOIN payments_outcome o USING (sheet, line);
