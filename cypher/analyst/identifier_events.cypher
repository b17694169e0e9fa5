// The events that tied one email or phone to another identifier, oldest first: its evidence
// edges, each with the other identifier and the decision. (Events are stored as compressed
// chunks, not nodes: `identigraph how` lists every event, also those carrying it alone.)
// Parameters: $email, $phone (either may be null).
MATCH (n:Identifier)
WHERE n.key IN ['email:' + $email, 'phone:' + $phone]
MATCH (n)-[r:EVIDENCE]-(other:Identifier)
RETURN r.event_id AS event_id, datetime({epochMillis: r.ts / 1000}) AS at, r.type AS type,
       r.channel AS channel, n.key AS identifier, other.key AS other, r.rule AS rule,
       r.merges AS merges
ORDER BY r.ts, r.event_id, r.seq
