// Undo a possibly committed edges batch (its seq values: the edges written with their
// profiles have seq values in between) before it is written again.
UNWIND $rows AS r
WITH collect(r[8]) AS seqs
MATCH ()-[e:EVIDENCE]->()
WHERE e.seq IN seqs
DELETE e
