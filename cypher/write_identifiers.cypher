// One batch of identifiers on no profile (replaced, blocked), each with its kind. Columnar:
// identifier i is $key[i], $kind[i], $consent[i], $consent_event[i], $blocked[i], $bucket[i]
// (its group bucket: groupindex.py), $buckets[i] (a blocked one's: the buckets of every group
// whose events carry it; null for the others).
UNWIND range(0, size($key) - 1) AS i
CREATE (:Identifier {
  key: $key[i], kind: $kind[i], consent: $consent[i], consent_event: $consent_event[i],
  blocked: $blocked[i], bucket: $bucket[i], buckets: $buckets[i]
})
