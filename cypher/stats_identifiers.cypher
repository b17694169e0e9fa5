// Identifiers by kind.
MATCH (n:Identifier)
RETURN n.kind AS kind, count(*) AS n
ORDER BY kind
