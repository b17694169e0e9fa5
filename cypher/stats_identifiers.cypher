// Identifiers by kind, kinds in name order (a schema-2 store's identifiers have no `kind`
// property yet: their key's prefix is their kind).
MATCH (n:Identifier)
RETURN coalesce(n.kind, split(n.key, ':')[0]) AS kind, count(n) AS n
ORDER BY kind
