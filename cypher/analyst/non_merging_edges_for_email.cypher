// Every edge of one email that did not merge, oldest first: what was kept apart and why.
// Parameters: $email (normalised: trimmed, lower case).
MATCH (e:Identifier {key: 'email:' + $email})-[r:EVIDENCE]-(other:Identifier)
WHERE NOT r.merges
RETURN other.key AS other, [(other)-[:ON]->(p:Profile) | p.profile_id][0] AS other_profile,
       [(e)-[:ON]->(p:Profile) | p.profile_id][0] AS own_profile, r.event_id AS event_id,
       r.type AS event_type, r.channel AS channel, datetime({epochMillis: r.ts / 1000}) AS at,
       r.rule AS rule
ORDER BY r.ts, r.event_id
