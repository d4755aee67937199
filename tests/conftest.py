"""Fixtures shared by several test modules go here. Shared test data and helpers (the patient fields,
rendering and reading back, batch and FHIR inputs) live in tests/helpers.py: import them from there."""
