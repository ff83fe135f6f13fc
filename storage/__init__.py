"""Storage: SQLAlchemy models, unit of work, repositories, Alembic migrations and the outbox."""
