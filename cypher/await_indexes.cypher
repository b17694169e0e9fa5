// Wait until every index is online (they are populated in the background).
CALL db.awaitIndexes($seconds)
