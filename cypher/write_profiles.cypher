// One batch of profiles, each with the identifiers on it (each with its `kind`, linked :ON)
// and the evidence edges between them (no key lookup: an end is its position in ns).
// Columnar: profile i is $profile_id[i] …; its members are $key[j], $kind[j], $bucket[j] (the
// group bucket: groupindex.py) … for j in
// $member_at[i] .. $member_at[i + 1] - 1 (any number of kinds: the kind is a property, so
// the statement is the same for every rule set); its edges are $src[e] … for e in
// $edge_at[i] .. $edge_at[i + 1] - 1, $src and $dst being positions among its members (the
// order collect keeps). Empty lists and false come as null, so they are not stored (a
// property not written costs nothing).
UNWIND range(0, size($profile_id) - 1) AS i
CREATE (p:Profile {
  profile_id: $profile_id[i], created_by: $created_by[i], created_for: $created_for[i],
  emails: $emails[i], phones: $phones[i], external_ids: $external_ids[i],
  other_ids: $other_ids[i], merged_ids: $merged_ids[i], email_consent: $email_consent[i],
  sms_consent: $sms_consent[i], created_ts: $created_ts[i]
})
WITH p, i
CALL (p, i) {
  UNWIND range($member_at[i], $member_at[i + 1] - 1) AS j
  CREATE (n:Identifier {
    key: $key[j], kind: $kind[j], consent: $consent[j], consent_event: $consent_event[j],
    blocked: $blocked[j], bucket: $bucket[j]
  })-[:ON]->(p)
  RETURN collect(n) AS ns
}
WITH i, ns
UNWIND range($edge_at[i], $edge_at[i + 1] - 1) AS e
WITH ns[$src[e]] AS s, ns[$dst[e]] AS d, e
CREATE (s)-[:EVIDENCE {
  event_id: $event_id[e], type: $type[e], channel: $channel[e], ts: $ts[e], rule: $rule[e],
  merges: $merges[e], seq: $seq[e]
}]->(d)
