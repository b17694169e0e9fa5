// One identifier by key.
MATCH (n:Identifier {key: $key})
RETURN n.key AS key, n.kind AS kind, n.value AS value, n.profile_id AS profile_id,
       n.blocked AS blocked, n.consent AS consent
