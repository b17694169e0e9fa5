// Constraints and indexes of the derived state, (re)built after the profiles and identifiers
// of a load are written (building an index at once is ~2x cheaper than updating it per row).
// The log's event index is what a delta load deletes a group's log entries by.
CREATE CONSTRAINT identigraph_identifier_key IF NOT EXISTS
FOR (n:Identifier) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT identigraph_profile_id IF NOT EXISTS
FOR (n:Profile) REQUIRE n.profile_id IS UNIQUE;
CREATE INDEX identigraph_log_profile IF NOT EXISTS FOR (n:LogEntry) ON (n.profile_id);
CREATE INDEX identigraph_log_event IF NOT EXISTS FOR (n:LogEntry) ON (n.event_id)
