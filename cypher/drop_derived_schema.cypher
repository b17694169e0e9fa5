// Drop the derived state's constraints and indexes before it is replaced (rebuilt by
// derived_schema.cypher); also indexes of schema version 1 that nothing uses any more.
DROP CONSTRAINT identigraph_identifier_key IF EXISTS;
DROP CONSTRAINT identigraph_profile_id IF EXISTS;
DROP INDEX identigraph_log_profile IF EXISTS;
DROP INDEX identigraph_email_value IF EXISTS;
DROP INDEX identigraph_phone_value IF EXISTS;
DROP INDEX identigraph_external_id_value IF EXISTS
