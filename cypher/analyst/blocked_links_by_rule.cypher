// Evidence that did not merge, by the rule that stopped it: edges, profiles on each side,
// and a few example events. Parameters: none.
MATCH (a:Identifier)-[r:EVIDENCE]->(b:Identifier)
WHERE NOT r.merges
OPTIONAL MATCH (a)-[:ON]->(pa:Profile)
OPTIONAL MATCH (b)-[:ON]->(pb:Profile)
RETURN r.rule AS rule, count(r) AS edges, count(DISTINCT pa) AS profiles_from,
       count(DISTINCT pb) AS profiles_to, collect(r.event_id)[..5] AS example_events
ORDER BY edges DESC, rule
