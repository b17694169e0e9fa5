// One batch of profiles, each with the identifiers on it (labelled by kind, linked :ON) and
// the evidence edges between them (no key lookup: an end is its position in ns):
// [id, created_by, created_for, emails, phones, external_ids, merged_ids, email_consent,
//  sms_consent, created_ts, email_members, phone_members, external_id_members, edges];
// a member is [key, consent, consent_event, blocked], an edge [src, dst, event_id, type,
// channel, ts, rule, merges, seq] with src, dst positions among the members (emails, then
// phones, then external ids: the order each collect keeps). Empty lists and false come as
// null, so they are not stored (a property Neo4j does not write costs nothing).
UNWIND $rows AS r
CREATE (p:Profile {
  profile_id: r[0], created_by: r[1], created_for: r[2], emails: r[3], phones: r[4],
  external_ids: r[5], merged_ids: r[6], email_consent: r[7], sms_consent: r[8],
  created_ts: r[9]
})
WITH p, r
CALL (p, r) {
  UNWIND r[10] AS m
  CREATE (n:Identifier:Email {key: m[0], consent: m[1], consent_event: m[2], blocked: m[3]})
         -[:ON]->(p)
  RETURN collect(n) AS emails
}
CALL (p, r) {
  UNWIND r[11] AS m
  CREATE (n:Identifier:Phone {key: m[0], consent: m[1], consent_event: m[2], blocked: m[3]})
         -[:ON]->(p)
  RETURN collect(n) AS phones
}
CALL (p, r) {
  UNWIND r[12] AS m
  CREATE (n:Identifier:ExternalId {key: m[0], consent: m[1], consent_event: m[2], blocked: m[3]})
         -[:ON]->(p)
  RETURN collect(n) AS external_ids
}
WITH r, emails + phones + external_ids AS ns
FOREACH (e IN r[13] |
  FOREACH (s IN [ns[e[0]]] |
    FOREACH (d IN [ns[e[1]]] |
      CREATE (s)-[:EVIDENCE {
        event_id: e[2], type: e[3], channel: e[4], ts: e[5], rule: e[6], merges: e[7], seq: e[8]
      }]->(d))))
