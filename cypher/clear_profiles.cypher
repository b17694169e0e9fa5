// Delete one batch of profile nodes (and any ON relationship left).
MATCH (n:Profile)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
