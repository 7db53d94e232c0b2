"""Payment matching: the pure algorithm and the audited service around it."""
