"""Posting GraphQL documents in tests, and reading the answer."""

from typing import Any

from rest_framework.test import APIClient

URL = "/graphql/"


def gql(client: APIClient, query: str, **variables: Any) -> dict[str, Any]:
    """POST a document as a client would; GraphQL answers 200 even when it reports errors."""
    response = client.post(URL, {"query": query, "variables": variables}, format="json")
    assert response.status_code == 200, response.content
    return dict(response.json())


def codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code", "") for error in body.get("errors", [])]


def messages(body: dict[str, Any]) -> str:
    return " | ".join(error["message"] for error in body.get("errors", []))
