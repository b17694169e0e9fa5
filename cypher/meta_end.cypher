// End of a write: the derived state and the events are complete.
MATCH (m:Meta {key: 'store'})
SET m.state = 'complete'
