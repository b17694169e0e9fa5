// The store's rule set (JSON) and write state.
MATCH (m:Meta {key: 'store'})
RETURN m.ruleset AS ruleset, m.state AS state
