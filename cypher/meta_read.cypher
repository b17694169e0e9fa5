// The store's rule set (JSON), write state, write generation (one more per load) and the
// schema version of the identigraph that last wrote it.
MATCH (m:Meta {key: 'store'})
RETURN m.ruleset AS ruleset, m.state AS state, m.generation AS generation,
       m.schema_version AS schema_version
