// Drop the derived state's constraints and indexes before it is replaced (rebuilt by
// identifier_schema.cypher and profile_schema.cypher); also those of schema version 1 that
// nothing uses any more. The two indexes named as constraints are the backing indexes a
// constraint build cut short (a killed load) can leave behind.
DROP CONSTRAINT identigraph_identifier_key IF EXISTS;
DROP CONSTRAINT identigraph_profile_id IF EXISTS;
DROP INDEX identigraph_identifier_key IF EXISTS;
DROP INDEX identigraph_profile_id IF EXISTS;
DROP INDEX identigraph_log_profile IF EXISTS;
DROP INDEX identigraph_log_event IF EXISTS;
DROP INDEX identigraph_email_value IF EXISTS;
DROP INDEX identigraph_phone_value IF EXISTS;
DROP INDEX identigraph_external_id_value IF EXISTS;
DROP INDEX identigraph_event_email IF EXISTS;
DROP INDEX identigraph_event_phone IF EXISTS;
DROP INDEX identigraph_event_external_id IF EXISTS;
DROP CONSTRAINT identigraph_event_id IF EXISTS
