// One batch of profiles, each with the identifiers on it (labelled by kind, linked :ON):
// [id, created_by, created_for, emails, phones, external_ids, merged_ids, email_consent,
//  sms_consent, created_ts, email_members, phone_members, external_id_members];
// a member is [key, consent, consent_event, blocked]. Empty lists and false come as null,
// so they are not stored (a property Neo4j does not write costs nothing).
UNWIND $rows AS r
CREATE (p:Profile {
  profile_id: r[0], created_by: r[1], created_for: r[2], emails: r[3], phones: r[4],
  external_ids: r[5], merged_ids: r[6], email_consent: r[7], sms_consent: r[8],
  created_ts: r[9]
})
FOREACH (m IN r[10] |
  CREATE (:Identifier:Email {key: m[0], consent: m[1], consent_event: m[2], blocked: m[3]})
         -[:ON]->(p))
FOREACH (m IN r[11] |
  CREATE (:Identifier:Phone {key: m[0], consent: m[1], consent_event: m[2], blocked: m[3]})
         -[:ON]->(p))
FOREACH (m IN r[12] |
  CREATE (:Identifier:ExternalId {key: m[0], consent: m[1], consent_event: m[2], blocked: m[3]})
         -[:ON]->(p))
