"""Provenance: who really touched the chart, from where, and how.

Rules over PHI access logs (provenance.rules) and detection of a login used by someone else
(provenance.takeover), all ibis expressions over plain inputs (provenance.inputs).
"""
