// Evidence edges decided by one of $rules whose two ends are on two different profiles:
// the pairs of profiles `suspects` ranks (the store orders them).
MATCH (pa:Profile)<-[:ON]-(a:Identifier)-[r:EVIDENCE]->(b:Identifier)-[:ON]->(pb:Profile)
WHERE r.rule IN $rules AND pa <> pb
RETURN a.key AS src, b.key AS dst, r.event_id AS event_id, r.type AS type,
       r.channel AS channel, r.ts AS ts, r.rule AS rule, r.merges AS merges, r.seq AS seq,
       pa.profile_id AS src_profile, pb.profile_id AS dst_profile
