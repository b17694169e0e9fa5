// Undo a possibly committed profiles batch before it is written again (a retried batch).
UNWIND $rows AS r
MATCH (p:Profile {profile_id: r[0]})
DETACH DELETE p
