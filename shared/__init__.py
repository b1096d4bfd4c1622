"""Code the three services share: event contract, topics, settings bases, database schema, scoring.

A library: it never imports a service, opens no connection and builds no settings at import.
"""
