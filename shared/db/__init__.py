"""Database schema (SQLAlchemy Core tables), engine builder and the repositories two services share."""
