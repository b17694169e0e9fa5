"""The engine: replay events under a rule set and build the state tables (pure, storage-free)."""
