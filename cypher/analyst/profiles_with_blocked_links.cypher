// Profiles whose identifiers have evidence that did not merge, optionally for one rule
// (never_merges, attach_only, limit, superseded, blocked_value).
// Parameters: $rule (null for any), $limit.
MATCH (p:Profile)<-[:ON]-(i:Identifier)-[r:EVIDENCE]-(other:Identifier)
WHERE NOT r.merges AND ($rule IS NULL OR r.rule = $rule)
RETURN p.profile_id AS profile_id, coalesce(p.emails, []) AS emails,
       coalesce(p.phones, []) AS phones, count(DISTINCT r) AS blocked_edges,
       collect(DISTINCT r.rule) AS rules, collect(DISTINCT other.key)[..10] AS not_merged_with
ORDER BY blocked_edges DESC, profile_id
LIMIT $limit
