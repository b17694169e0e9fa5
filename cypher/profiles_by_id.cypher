// Profiles of a `profiles` query (--min-size, --kind), by id (the id index gives the
// order, so rows stream without a sort), at most $limit.
MATCH (p:Profile)
WHERE p.profile_id IS NOT NULL
  AND size(coalesce(p.emails, [])) + size(coalesce(p.phones, []))
      + size(coalesce(p.external_ids, [])) + size(coalesce(p.other_ids, [])) >= $min_size
  AND ($kind IS NULL OR ($kind = 'email' AND size(coalesce(p.emails, [])) > 0)
       OR ($kind = 'phone' AND size(coalesce(p.phones, [])) > 0)
       OR ($kind = 'external_id' AND size(coalesce(p.external_ids, [])) > 0)
       OR any(k IN coalesce(p.other_ids, []) WHERE k STARTS WITH $kind + ':'))
WITH p
ORDER BY p.profile_id
LIMIT $limit
RETURN p {.*} AS p
