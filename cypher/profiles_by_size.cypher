// Profiles of a `profiles --sort size` query: the most identifiers first, ties by id.
MATCH (p:Profile)
WITH p, size(coalesce(p.emails, [])) + size(coalesce(p.phones, []))
        + size(coalesce(p.external_ids, [])) + size(coalesce(p.other_ids, [])) AS held
WHERE held >= $min_size
  AND ($kind IS NULL OR ($kind = 'email' AND size(coalesce(p.emails, [])) > 0)
       OR ($kind = 'phone' AND size(coalesce(p.phones, [])) > 0)
       OR ($kind = 'external_id' AND size(coalesce(p.external_ids, [])) > 0)
       OR any(k IN coalesce(p.other_ids, []) WHERE k STARTS WITH $kind + ':'))
WITH p, held
ORDER BY held DESC, p.profile_id
LIMIT $limit
RETURN p {.*} AS p
