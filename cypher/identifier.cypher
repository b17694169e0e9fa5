// One identifier by key, with the profile it is on.
MATCH (n:Identifier {key: $key})
OPTIONAL MATCH (n)-[:ON]->(p:Profile)
RETURN n.key AS key, p.profile_id AS profile_id, n.blocked AS blocked, n.consent AS consent
