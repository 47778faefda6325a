-- Spend per member and calendar month, for the overview chart.
SELECT organisation,
    strftime(date_trunc('month', payment_date), '%Y-%m') AS month,
    sum(amount) AS amount,
    count(*) AS spend_lines
FROM spend_lines
GROUP BY ALL
ORDER BY organisation, month;
