// Start of a write: the rule set, and a marker that the derived state is being replaced.
MERGE (m:Meta {key: 'store'})
SET m.ruleset = $ruleset, m.schema_version = $schema_version, m.state = 'writing',
    m.generation = coalesce(m.generation, 0) + 1
RETURN m.generation AS generation
