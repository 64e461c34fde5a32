"""CachedFieldsMixin: the model introspected once per class, the same output, no shared fields."""

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from rest_framework import serializers

from ..serializers import CachedFieldsMixin

pytestmark = pytest.mark.django_db


class ContentTypeSerializer(CachedFieldsMixin, serializers.ModelSerializer[ContentType]):
    class Meta:
        model = ContentType
        fields = ("id", "app_label", "model")


class PlainContentTypeSerializer(serializers.ModelSerializer[ContentType]):
    class Meta:
        model = ContentType
        fields = ("id", "app_label", "model")


def test_the_fields_are_built_from_the_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    build = serializers.ModelSerializer.get_fields

    def counting(self: Any) -> Any:
        calls.append(type(self))
        return build(self)

    monkeypatch.setattr(serializers.ModelSerializer, "get_fields", counting)
    monkeypatch.delattr(ContentTypeSerializer, "_cached_fields", raising=False)
    content_types = list(ContentType.objects.all()[:3])
    for content_type in content_types:
        assert ContentTypeSerializer(content_type).data
    assert calls == [ContentTypeSerializer]


def test_the_output_is_the_model_serializers_and_no_field_is_shared() -> None:
    first, second = ContentType.objects.all()[:2]
    one, other = ContentTypeSerializer(first), ContentTypeSerializer(second)
    assert one.data == PlainContentTypeSerializer(first).data
    assert other.data == PlainContentTypeSerializer(second).data
    for name, field in one.fields.items():
        assert field is not other.fields[name]
        assert field.parent is one
