// Profile-level changes of these profiles, in the order they happened.
MATCH (l:LogEntry)
WHERE l.profile_id IN $profile_ids
RETURN l.profile_id AS profile_id, l.event_id AS event_id, l.ts AS ts, l.action AS action,
       l.identifier AS identifier, l.other AS other, l.seq AS seq
ORDER BY l.ts, l.event_id, l.seq
