// Delete the id buckets of one load (generation) cut short, before they are written again.
MATCH (b:EventBucket {generation: $generation})
DELETE b
RETURN count(*) AS deleted
