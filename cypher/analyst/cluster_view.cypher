// The cluster around one identifier, as a picture in Neo4j Browser: its profile, the
// profile's identifiers and every evidence edge one hop out.
// Parameters: $key (e.g. 'email:ann@example.com', 'phone:+14155550101').
MATCH (start:Identifier {key: $key})
OPTIONAL MATCH (start)-[:ON]->(p:Profile)
OPTIONAL MATCH (m:Identifier)-[on:ON]->(p)
WITH start, p, collect(DISTINCT m) + start AS members, collect(DISTINCT on) AS ons
UNWIND members AS m
OPTIONAL MATCH (m)-[r:EVIDENCE]-(x:Identifier)
RETURN p, ons, m, collect(r) AS evidence, collect(x) AS neighbours
