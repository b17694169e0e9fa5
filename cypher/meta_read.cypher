// The store's rule set (JSON), write state, write generation (one more per load) and the
// schema version of the identigraph that last wrote it; grouped: the group index is
// complete; next_bucket: the first free group bucket number.
MATCH (m:Meta {key: 'store'})
RETURN m.ruleset AS ruleset, m.state AS state, m.generation AS generation,
       m.schema_version AS schema_version, coalesce(m.grouped, false) AS grouped,
       coalesce(m.next_bucket, 0) AS next_bucket
