// Undo a possibly committed log batch (its seq range) before it is written again.
UNWIND $seq AS s
WITH min(s) AS lo, max(s) AS hi
MATCH (l:LogEntry)
WHERE lo <= l.seq <= hi
DELETE l
