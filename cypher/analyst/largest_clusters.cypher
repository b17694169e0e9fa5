// Largest identity clusters: profiles by how many profiles were merged into them, then by
// identifiers and evidence edges. Parameters: $limit (e.g. 25).
MATCH (p:Profile)
OPTIONAL MATCH (i:Identifier)-[:ON]->(p)
WITH p, collect(i) AS members
CALL (members) {
  UNWIND members AS m
  MATCH (m)-[r:EVIDENCE]-()
  RETURN count(DISTINCT r) AS evidence
}
RETURN p.profile_id AS profile_id, size(coalesce(p.merged_ids, [])) AS merged_profiles,
       size(members) AS identifiers, evidence, coalesce(p.emails, []) AS emails,
       coalesce(p.phones, []) AS phones, coalesce(p.external_ids, []) AS external_ids
ORDER BY merged_profiles DESC, identifiers DESC, evidence DESC, profile_id
LIMIT $limit
