// One batch of canonical events, fields in FIELDS order (identigraph/events.py).
UNWIND $rows AS r
CREATE (:Event {
  event_id: r[0], ts: r[1], type: r[2], channel: r[3], source: r[4], email: r[5],
  phone: r[6], external_id: r[7], country: r[8], email_consent: r[9], sms_consent: r[10],
  attributes: r[11]
})
