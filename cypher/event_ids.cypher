// Every stored event id.
MATCH (e:Event)
RETURN e.event_id AS event_id
