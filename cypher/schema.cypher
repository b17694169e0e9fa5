// Constraints and indexes, created on first use: statements end with a semicolon at line end.
CREATE CONSTRAINT identigraph_identifier_key IF NOT EXISTS
FOR (n:Identifier) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT identigraph_event_id IF NOT EXISTS
FOR (n:Event) REQUIRE n.event_id IS UNIQUE;
CREATE CONSTRAINT identigraph_profile_id IF NOT EXISTS
FOR (n:Profile) REQUIRE n.profile_id IS UNIQUE;
CREATE CONSTRAINT identigraph_meta_key IF NOT EXISTS
FOR (n:Meta) REQUIRE n.key IS UNIQUE;
CREATE INDEX identigraph_event_email IF NOT EXISTS FOR (n:Event) ON (n.email);
CREATE INDEX identigraph_event_phone IF NOT EXISTS FOR (n:Event) ON (n.phone);
CREATE INDEX identigraph_event_external_id IF NOT EXISTS FOR (n:Event) ON (n.external_id);
CREATE INDEX identigraph_log_profile IF NOT EXISTS FOR (n:LogEntry) ON (n.profile_id);
CREATE INDEX identigraph_email_value IF NOT EXISTS FOR (n:Email) ON (n.value);
CREATE INDEX identigraph_phone_value IF NOT EXISTS FOR (n:Phone) ON (n.value);
CREATE INDEX identigraph_external_id_value IF NOT EXISTS FOR (n:ExternalId) ON (n.value)
