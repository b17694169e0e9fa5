// Identifiers by kind (from the label counts Neo4j keeps).
CALL () { MATCH (n:Email) RETURN count(n) AS email }
CALL () { MATCH (n:Phone) RETURN count(n) AS phone }
CALL () { MATCH (n:ExternalId) RETURN count(n) AS external_id }
RETURN email, phone, external_id
