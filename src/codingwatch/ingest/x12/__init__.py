"""X12 5010 readers: 837I/837P claims and 835 remittances into the lake."""
