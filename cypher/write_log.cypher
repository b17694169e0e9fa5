// One batch of profile log entries. Columnar: entry i is $profile_id[i], $event_id[i],
// $ts[i], $action[i], $identifier[i], $other[i], $seq[i] (its row number in the state).
UNWIND range(0, size($profile_id) - 1) AS i
CREATE (:LogEntry {
  profile_id: $profile_id[i], event_id: $event_id[i], ts: $ts[i], action: $action[i],
  identifier: $identifier[i], other: $other[i], seq: $seq[i]
})
