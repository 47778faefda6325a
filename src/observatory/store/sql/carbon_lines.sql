-- Spend-based Scope 3 category 1 estimate per spend line (GHG Protocol, spend-based method):
-- kg CO2e = spend net of VAT, deflated with CPI to the factor's price year, x DEFRA kg CO2e per GBP
-- of the line's SIC group. A supplier's own reported intensity replaces the factor. Every line says
-- which method gave its figure, and carries a low/high range. See docs/methods/carbon.md.
-- Needs outcome_lines (outcome_lines.sql) and the ref_* tables. $factor_year: the factor price year.

CREATE OR REPLACE TEMP TABLE carbon_priced AS
WITH bounds AS (SELECT min(year) AS lo, max(year) AS hi FROM ref_cpi),
lines AS (
    SELECT
        l.*,
        coalesce(o1.supplier_key, o2.supplier_key) AS override_key,
        coalesce(o1.kgco2e_per_gbp, o2.kgco2e_per_gbp) AS override_factor,
        coalesce(o1.price_year, o2.price_year) AS override_year,
        coalesce(o1.low_kgco2e_per_gbp, o2.low_kgco2e_per_gbp) AS override_low,
        coalesce(o1.high_kgco2e_per_gbp, o2.high_kgco2e_per_gbp) AS override_high,
        coalesce(o1.source, o2.source) AS override_source,
        -- A supplier's registered activity says more about what it sells than a line's category.
        coalesce(l.supplier_sic_group, l.category_sic_group) AS sic_group
    FROM outcome_lines l
    LEFT JOIN supplier_carbon_overrides o1 ON o1.supplier_key = l.supplier_key
    LEFT JOIN supplier_carbon_overrides o2 ON o2.supplier_key = l.name_key
)
SELECT
    l.*,
    CASE WHEN l.override_key IS NOT NULL THEN 'supplier-specific'
         WHEN l.supplier_sic_group IS NOT NULL THEN 'spend-based: supplier SIC code'
         WHEN l.category_sic_group IS NOT NULL
             THEN 'spend-based: category (ProClass ' || l.category_matched_on || ')'
         ELSE 'spend-based: average factor (no category)' END AS method,
    -- Years outside the index take its nearest year (said in cpi_note).
    c.idx AS cpi_spend_year,
    CASE WHEN l.year < b.lo OR l.year > b.hi THEN 'CPI of ' || c.year || ' used for ' || l.year END
        AS cpi_note,
    f.kgco2e_per_gbp AS factor
FROM lines l
CROSS JOIN bounds b
JOIN ref_cpi c ON c.year = least(greatest(l.year, b.lo), b.hi)
LEFT JOIN ref_factors f ON f.sic_group = l.sic_group;

-- The factor for lines with no category: the spend-weighted average of the factors the mapped
-- lines received (whole warehouse), so the total covers all spend; its range is the widest.
CREATE OR REPLACE TEMP TABLE carbon_average AS
SELECT sum(net_amount * factor) / nullif(sum(net_amount), 0) AS factor
FROM carbon_priced
WHERE factor IS NOT NULL AND override_key IS NULL AND net_amount > 0;

CREATE OR REPLACE TEMP TABLE carbon_lines AS
WITH fy AS (SELECT idx FROM ref_cpi WHERE year = $factor_year),
priced AS (
    SELECT
        p.*,
        CASE WHEN p.override_key IS NOT NULL
             THEN p.net_amount * (SELECT idx FROM ref_cpi WHERE year = p.override_year) / p.cpi_spend_year
             ELSE p.net_amount * (SELECT idx FROM fy) / p.cpi_spend_year END AS deflated_spend,
        CASE WHEN p.override_key IS NOT NULL THEN p.override_factor
             ELSE coalesce(p.factor, (SELECT factor FROM carbon_average)) END AS applied_factor,
        -- Range multipliers: our stated assumptions (carbon.md), wider the rougher the mapping.
        CASE WHEN p.override_key IS NOT NULL
                 THEN coalesce(p.override_low / p.override_factor, 0.8)
             WHEN p.method = 'spend-based: supplier SIC code' THEN 0.7
             WHEN p.method = 'spend-based: category (ProClass code)' THEN 0.6
             WHEN p.method = 'spend-based: category (ProClass level 2)' THEN 0.5
             WHEN p.method = 'spend-based: category (ProClass level 1)' THEN 0.4
             ELSE 0.25 END AS low_multiplier,
        CASE WHEN p.override_key IS NOT NULL
                 THEN coalesce(p.override_high / p.override_factor, 1.2)
             WHEN p.method = 'spend-based: supplier SIC code' THEN 1.5
             WHEN p.method = 'spend-based: category (ProClass code)' THEN 1.7
             WHEN p.method = 'spend-based: category (ProClass level 2)' THEN 2.0
             WHEN p.method = 'spend-based: category (ProClass level 1)' THEN 2.5
             ELSE 4.0 END AS high_multiplier
    FROM carbon_priced p
)
SELECT
    line_key, organisation, payment_date, year, net_amount, amount_basis, supplier_key, name_key,
    supplier_name, category, category_label, category_basis, sic_group, method, override_source,
    cpi_note, deflated_spend, applied_factor,
    deflated_spend * applied_factor AS kgco2e,
    deflated_spend * applied_factor * low_multiplier AS kgco2e_low,
    deflated_spend * applied_factor * high_multiplier AS kgco2e_high
FROM priced;
