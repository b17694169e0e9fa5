// A database neo4j-admin imported (import_files.py) once its constraints and indexes are
// built: its state is complete.
MATCH (m:Meta {key: 'store', state: 'imported'})
SET m.state = 'complete'
