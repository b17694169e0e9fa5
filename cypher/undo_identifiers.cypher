// Undo a possibly committed identifiers batch before it is written again (a retried batch).
UNWIND $rows AS r
MATCH (n:Identifier {key: r[0]})
DETACH DELETE n
