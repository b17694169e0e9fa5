// stats' largest groups: the $top group buckets whose largest groups are largest (most
// events, then the smallest first event id), by the range index on GroupBucket.largest. A
// bucket's groups are at most as large as its largest, so the store's $top largest groups
// are all in these buckets. ranked: every bucket records its largest group (Meta: this
// schema version, a whole write of this version since, not being written); if not, the
// caller reads every event instead.
OPTIONAL MATCH (m:Meta {key: 'store'})
WITH coalesce(m.schema_version = $schema_version AND m.grouped AND m.ranked
              AND m.state = 'complete', false) AS ranked
CALL () {
  MATCH (g:GroupBucket)
  WHERE g.largest IS NOT NULL
  WITH g
  ORDER BY g.largest DESC, g.largest_first
  LIMIT $top
  RETURN collect(g.data) AS found
}
RETURN ranked, CASE WHEN ranked THEN found ELSE [] END AS found
