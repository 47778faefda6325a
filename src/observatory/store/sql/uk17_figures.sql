-- Regulation 38 figures for one member and reporting period ($start to $end, inclusive), from
-- invoice_payments. Day 1 is the day after the invoice was received (clock_start), so days to pay
-- = payment date - clock start; a payment on the day of receipt (day 0) is within the first band.
-- A sum becomes payable on its deadline under s68(2): day 30 after receipt, or the invoice's own
-- due date if later. See docs/methods/payments.md.
WITH invoices AS (
    SELECT *,
        date_diff('day', clock_start, payment_date) AS days,
        greatest(clock_start + $terms::INTEGER, coalesce(due_date, clock_start + $terms::INTEGER)) AS payable
    FROM invoice_payments
    WHERE organisation = $organisation
),
paid AS (
    SELECT * FROM invoices WHERE payment_date BETWEEN $start AND $end
),
payable AS (
    SELECT * FROM invoices WHERE payable BETWEEN $start AND $end
)
SELECT
    (SELECT count(*) FROM paid) AS payments_made,
    (SELECT sum(amount) FROM paid) AS amount_paid,
    (SELECT avg(days) FROM paid) AS average_days,
    (SELECT count(*) FROM paid WHERE days <= 30) AS within_30,
    (SELECT count(*) FROM paid WHERE days BETWEEN 31 AND 60) AS within_31_60,
    (SELECT count(*) FROM paid WHERE days >= 61) AS over_60,
    (SELECT count(*) FROM paid WHERE disputed) AS paid_disputed,
    (SELECT count(*) FROM paid WHERE clock_basis <> 'received') AS paid_without_received_date,
    (SELECT count(*) FROM payable) AS became_payable,
    (SELECT count(*) FROM payable WHERE payment_date IS NULL OR payment_date > $end) AS not_paid,
    (SELECT sum(amount) FROM payable WHERE payment_date IS NULL OR payment_date > $end)
        AS amount_not_paid,
    (SELECT min(clock_start) FROM invoices) AS data_from,
    (SELECT max(coalesce(payment_date, clock_start)) FROM invoices) AS data_to;
