"""Helpers that tests across the project import: other processes, clients, fixtures."""
