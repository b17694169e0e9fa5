// Every stored event, in FIELDS order.
MATCH (e:Event)
RETURN [e.event_id, e.ts, e.type, e.channel, e.source, e.email, e.phone, e.external_id,
        e.country, e.email_consent, e.sms_consent, e.attributes] AS row
