"""The report figures' Django side: the `figures` template library (`{% load figures %}`)."""
