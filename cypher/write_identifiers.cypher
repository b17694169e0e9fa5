// One batch of identifiers on no profile (replaced, blocked):
// [key, kind, consent, consent_event, blocked], labelled by kind.
UNWIND $rows AS r
FOREACH (_ IN CASE WHEN r[1] = 'email' THEN [1] ELSE [] END |
  CREATE (:Identifier:Email {key: r[0], consent: r[2], consent_event: r[3], blocked: r[4]}))
FOREACH (_ IN CASE WHEN r[1] = 'phone' THEN [1] ELSE [] END |
  CREATE (:Identifier:Phone {key: r[0], consent: r[2], consent_event: r[3], blocked: r[4]}))
FOREACH (_ IN CASE WHEN r[1] = 'external_id' THEN [1] ELSE [] END |
  CREATE (:Identifier:ExternalId {key: r[0], consent: r[2], consent_event: r[3],
                                  blocked: r[4]}))
