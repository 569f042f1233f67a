"""Preset scenarios shipped with codingwatch (YAML, copyable with `codingwatch cost preset NAME --write`)."""
