// These identifiers (the keys of one connected group): blocked or not, and their profile.
UNWIND $keys AS k
MATCH (n:Identifier {key: k})
OPTIONAL MATCH (n)-[:ON]->(p:Profile)
RETURN n.key AS key, coalesce(n.blocked, false) AS blocked, p.profile_id AS profile_id
