// One batch of identifiers: [key, kind, value, profile_id, blocked, consent, consent_event],
// each labelled by kind and linked (:ON) to its profile (written before).
UNWIND $rows AS r
CREATE (n:Identifier {
  key: r[0], kind: r[1], value: r[2], profile_id: r[3], blocked: r[4] = 1, consent: r[5],
  consent_event: r[6]
})
FOREACH (_ IN CASE WHEN r[1] = 'email' THEN [1] ELSE [] END | SET n:Email)
FOREACH (_ IN CASE WHEN r[1] = 'phone' THEN [1] ELSE [] END | SET n:Phone)
FOREACH (_ IN CASE WHEN r[1] = 'external_id' THEN [1] ELSE [] END | SET n:ExternalId)
WITH n, r
WHERE r[3] IS NOT NULL
MATCH (p:Profile {profile_id: r[3]})
CREATE (n)-[:ON]->(p)
