// One profile by id.
MATCH (p:Profile {profile_id: $profile_id})
RETURN p {.*} AS p
