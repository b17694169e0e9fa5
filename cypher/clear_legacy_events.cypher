// Delete one batch of schema-version-1 :Event nodes (their events are in chunks by now).
MATCH (e:Event)
WITH e LIMIT $limit
DELETE e
RETURN count(*) AS deleted
