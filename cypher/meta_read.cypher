// The store's rule set (JSON), write state and write generation (one more per load).
MATCH (m:Meta {key: 'store'})
RETURN m.ruleset AS ruleset, m.state AS state, m.generation AS generation
