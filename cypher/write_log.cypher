// One batch of profile log entries: [profile_id, event_id, ts, action, identifier, other, seq].
UNWIND $rows AS r
CREATE (:LogEntry {
  profile_id: r[0], event_id: r[1], ts: r[2], action: r[3], identifier: r[4], other: r[5],
  seq: r[6]
})
