"""Security Hub as the sandbox serves it: moto's findings store behind the gate, with the
checks BatchImportFindings makes in AWS (hub enabled, the default product of the calling
account) and GetFindings filters."""
