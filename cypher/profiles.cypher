// Every profile (the store sorts them by id).
MATCH (p:Profile)
RETURN p {.*} AS p
