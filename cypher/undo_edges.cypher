// Undo a possibly committed edges batch (its seq range) before it is written again.
UNWIND $rows AS r
WITH min(r[8]) AS lo, max(r[8]) AS hi
MATCH ()-[e:EVIDENCE]->()
WHERE lo <= e.seq <= hi
DELETE e
