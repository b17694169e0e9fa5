// One batch of profiles: [id, created_by, created_for, emails, phones, external_ids,
// merged_ids, email_consent, sms_consent, created_ts]; lists are Neo4j lists.
UNWIND $rows AS r
CREATE (:Profile {
  profile_id: r[0], created_by: r[1], created_for: r[2], emails: r[3], phones: r[4],
  external_ids: r[5], merged_ids: r[6], email_consent: r[7], sms_consent: r[8],
  created_ts: r[9]
})
