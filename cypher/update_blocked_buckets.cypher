// A delta's blocked values that were stored already (not written again): their lists of group
// buckets (groupindex.py) lose the buckets the delta emptied ($emptied) and gain the ones its
// groups moved into. Columnar: identifier i is $key[i], its new buckets $buckets[i]. A value
// without a list (written before lists existed) is left without one.
UNWIND range(0, size($key) - 1) AS i
MATCH (n:Identifier {key: $key[i]})
WHERE n.buckets IS NOT NULL
SET n.buckets = [b IN n.buckets WHERE NOT b IN $emptied] +
                [b IN $buckets[i] WHERE NOT b IN n.buckets]
