"""codingwatch: run outsourced medical coding on evidence."""

__version__ = "0.1.0"
