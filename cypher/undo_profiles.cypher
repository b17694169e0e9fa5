// Undo a possibly committed profiles batch before it is written again (a retried batch):
// the profiles and the identifiers on them. One scan: the index is built after this step.
MATCH (p:Profile)
WHERE p.profile_id IN $profile_id
OPTIONAL MATCH (p)<-[:ON]-(n:Identifier)
DETACH DELETE p, n
