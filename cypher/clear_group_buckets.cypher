// Delete one batch of group buckets (a whole write places every group again).
MATCH (b:GroupBucket)
WITH b LIMIT $limit
DELETE b
RETURN count(*) AS deleted
