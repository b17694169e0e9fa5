// Identifiers by kind (the kind index answers it), kinds in name order.
MATCH (n:Identifier)
WHERE n.kind IS NOT NULL
RETURN n.kind AS kind, count(n) AS n
ORDER BY kind
