// Undo a possibly committed edges batch (its seq values: the edges written with their
// profiles have seq values in between) before it is written again.
MATCH ()-[e:EVIDENCE]->()
WHERE e.seq IN $seq
DELETE e
