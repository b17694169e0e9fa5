// Which of these identifier keys have a node (a blocked value written by an earlier load).
UNWIND $keys AS k
MATCH (n:Identifier {key: k})
RETURN n.key AS key
