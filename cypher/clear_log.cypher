// Delete one batch of profile log entries.
MATCH (n:LogEntry)
WITH n LIMIT $limit
DELETE n
RETURN count(*) AS deleted
