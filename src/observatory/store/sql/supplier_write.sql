-- Write one resolution run: records with their entity, nodes and links (supplier_fill.sql then
-- gives spend lines and contract suppliers their ids). Inputs: resolve_seen, resolve_names, resolve_nodes,
-- resolve_links, resolve_previous (temp tables) and resolve_assignment, resolve_link_status
-- (registered by resolve/suppliers.py).

DELETE FROM supplier_records;

INSERT INTO supplier_records
SELECT s.record_key, s.source, s.organisation, s.supplier_name, s.company_number,
       s.charity_number, s.vat_number, s.ppon, s.other_identifier, s.postcode, s.sme_flags,
       s.vcse_flags, s.lines, s.amount, s.first_date, s.last_date,
       a.supplier_id, n.node_key, a.joined_by, a.joined_to, a.join_weight, a.join_probability,
       n.name_core, n.legal_form_hint,
       coalesce(p.first_resolved, current_timestamp), current_timestamp
FROM resolve_seen s
JOIN resolve_names n USING (record_key)
JOIN resolve_assignment a USING (record_key)
LEFT JOIN resolve_previous p USING (record_key);

DELETE FROM supplier_nodes;

INSERT INTO supplier_nodes
SELECT node_key, name_full, name_core, trading_core, legal_form_hint, company_number,
       charity_number, vat_number, ppon, postcode, records
FROM resolve_nodes;

DELETE FROM supplier_links;

INSERT INTO supplier_links
SELECT l.record_l, l.record_r, l.kind, l.detail, l.match_weight, l.match_probability,
       st.used, st.refused
FROM resolve_links l
JOIN resolve_link_status st USING (ord);
