// Every stored event carrying one email or phone, oldest first (what `how` starts from).
// Parameters: $email, $phone (either may be null).
MATCH (e:Event)
WHERE e.email = $email OR e.phone = $phone
RETURN e.event_id AS event_id, datetime({epochMillis: e.ts / 1000}) AS at, e.type AS type,
       e.channel AS channel, e.source AS source, e.email AS email, e.phone AS phone,
       e.external_id AS external_id, e.email_consent AS email_consent,
       e.sms_consent AS sms_consent
ORDER BY e.ts, e.event_id
