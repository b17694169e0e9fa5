// Evidence edges by rule.
MATCH ()-[r:EVIDENCE]->()
RETURN r.rule AS rule, count(*) AS n
ORDER BY rule
