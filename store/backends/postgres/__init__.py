"""PostgreSQL, for teams that share one database from several hosts."""
