"""The webhook senders the product speaks to, defined once. The ingest's protocols (verification), the
stream's normalisers (mapping to the vocabulary) and the directory of endpoints each cover exactly these;
each checks so when it is imported."""

from __future__ import annotations

PROVIDERS: tuple[str, ...] = ("standard", "hubspot", "salesforce", "x", "meta", "linkedin")
