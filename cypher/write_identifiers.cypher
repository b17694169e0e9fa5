// One batch of identifiers on no profile (replaced, blocked), labelled by kind. Columnar:
// identifier i is $key[i], $kind[i], $consent[i], $consent_event[i], $blocked[i].
UNWIND range(0, size($key) - 1) AS i
FOREACH (_ IN CASE WHEN $kind[i] = 'email' THEN [1] ELSE [] END |
  CREATE (:Identifier:Email {
    key: $key[i], consent: $consent[i], consent_event: $consent_event[i], blocked: $blocked[i]
  }))
FOREACH (_ IN CASE WHEN $kind[i] = 'phone' THEN [1] ELSE [] END |
  CREATE (:Identifier:Phone {
    key: $key[i], consent: $consent[i], consent_event: $consent_event[i], blocked: $blocked[i]
  }))
FOREACH (_ IN CASE WHEN $kind[i] = 'external_id' THEN [1] ELSE [] END |
  CREATE (:Identifier:ExternalId {
    key: $key[i], consent: $consent[i], consent_event: $consent_event[i], blocked: $blocked[i]
  }))
