// Delete one batch of identifier nodes with their EVIDENCE and ON relationships.
MATCH (n:Identifier)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
