"""Blocks and request counts in the admin, read-mostly: ip_block and ip_unblock update Redis."""

from django.contrib import admin
from django.http import HttpRequest

from .models import BlockedIP, RequestLog, SuspiciousIP


@admin.register(BlockedIP)
class BlockedIPAdmin(admin.ModelAdmin[BlockedIP]):
    """Read-mostly: blocks are made and lifted with ip_block / ip_unblock, which also update Redis."""

    list_display = ("ip", "source", "reason", "created_at", "expires_at", "lifted_at")
    list_filter = ("source",)
    search_fields = ("ip", "reason")
    readonly_fields = ("ip", "source", "reason", "created_at", "expires_at", "lifted_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(RequestLog)
class RequestLogAdmin(admin.ModelAdmin[RequestLog]):
    list_display = ("ip", "window_start", "window_seconds", "request_count")
    search_fields = ("ip",)
    date_hierarchy = "window_start"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RequestLog | None = None) -> bool:
        return False


@admin.register(SuspiciousIP)
class SuspiciousIPAdmin(admin.ModelAdmin[SuspiciousIP]):
    """The review queue: look at the address, block it with ip_block if needed, tick reviewed."""

    list_display = ("ip", "hour_start", "request_count", "reviewed")
    list_filter = ("reviewed",)
    list_editable = ("reviewed",)
    search_fields = ("ip",)
    readonly_fields = ("ip", "hour_start", "request_count", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
