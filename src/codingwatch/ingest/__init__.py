"""Readers that load files into the lake."""
