// Delete the derived state of the groups a delta replays: these (non-blocked) identifiers,
// with their evidence edges and the profiles they are on. Returns what it deleted.
UNWIND $keys AS k
MATCH (n:Identifier {key: k})
OPTIONAL MATCH (n)-[:ON]->(p:Profile)
WITH collect(DISTINCT n) AS ns, collect(DISTINCT p) AS ps
FOREACH (p IN ps | DETACH DELETE p)
FOREACH (n IN ns | DETACH DELETE n)
RETURN size(ns) + size(ps) AS deleted
