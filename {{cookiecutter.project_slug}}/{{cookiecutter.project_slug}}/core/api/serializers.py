"""Serializer plumbing shared by the apps."""

import copy
from typing import Any

from rest_framework import serializers


class CachedFieldsMixin:
    """A ModelSerializer whose fields are built from the model once per class, not per instance.

    DRF's ModelSerializer introspects the model (field kwargs, validators, unique checks) each time
    one is created: about 100 us of a 160 us `UserSerializer(user).data` here, on every /me
    request. For a serializer whose fields depend on nothing but its Meta, the result is the same
    every time, so it is built once and deep-copied for each instance, as DRF copies declared
    fields (each instance binds its own copies, so threads never share one). Not for serializers
    whose fields depend on the request or the context.
    """

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        cls = type(self)
        built = cls.__dict__.get("_cached_fields")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]
            cls._cached_fields = built  # type: ignore[attr-defined]
        return copy.deepcopy(built)
