// Undo a possibly committed log batch (its seq range) before it is written again.
UNWIND $rows AS r
WITH min(r[6]) AS lo, max(r[6]) AS hi
MATCH (l:LogEntry)
WHERE lo <= l.seq <= hi
DELETE l
