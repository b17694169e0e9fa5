// Undo a possibly committed batch of identifiers on no profile (a retried batch); one scan:
// the index is built after this step.
MATCH (n:Identifier)
WHERE n.key IN $key
DETACH DELETE n
