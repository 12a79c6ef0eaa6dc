"""The JSON API: its routes, its OpenAPI document, its output schemas, idempotency."""

from __future__ import annotations

from .views import create_api_blueprint, create_from_body, read_json_body

__all__ = ["create_api_blueprint", "create_from_body", "read_json_body"]
