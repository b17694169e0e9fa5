// Undo a possibly committed events batch before it is written again (a retried batch).
UNWIND $rows AS r
MATCH (e:Event {event_id: r[0]})
DELETE e
