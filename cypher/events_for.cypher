// Stored events carrying any of these emails, phones or external ids.
CALL {
  MATCH (e:Event) WHERE e.email IN $emails RETURN e
  UNION
  MATCH (e:Event) WHERE e.phone IN $phones RETURN e
  UNION
  MATCH (e:Event) WHERE e.external_id IN $external_ids RETURN e
}
RETURN e {.*} AS e
