// The constraint the evidence edges need (they look their ends up by key), built before
// them: derived_schema.cypher then builds the others while the edges are written.
CREATE CONSTRAINT identigraph_identifier_key IF NOT EXISTS
FOR (n:Identifier) REQUIRE n.key IS UNIQUE
