// Delete these group buckets (a delta moved all their groups into new ones).
MATCH (b:GroupBucket)
WHERE b.bucket IN $buckets
DELETE b
RETURN count(*) AS deleted
