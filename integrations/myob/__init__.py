"""MYOB Business (AccountRight Live) API v2: the pieces the provider-neutral export core will plug in.

In progress (issue 10): a typed HTTP client (``client.py``) with MYOB's error classification
(``errors.py``), the invoice Number / customer DisplayID rules (``identifiers.py``), the service
invoice payload (``payload.py``) and a Redis rate limiter for the per-API-key limit (``ratelimit.py``).
No models, views or settings pages yet: they come with the export core.
"""
