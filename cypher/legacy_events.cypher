// Events a schema-version-1 store kept as one :Event node each, in FIELDS order (read until
// the next load moves them into event chunks).
MATCH (e:Event)
RETURN [e.event_id, e.ts, e.type, e.channel, e.source, e.email, e.phone, e.external_id,
        e.country, e.email_consent, e.sms_consent, e.attributes] AS row
