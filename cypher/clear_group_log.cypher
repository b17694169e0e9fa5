// Delete the profile log entries of the events a delta replays (by event id).
UNWIND $event_ids AS e
MATCH (l:LogEntry {event_id: e})
DELETE l
RETURN count(*) AS deleted
