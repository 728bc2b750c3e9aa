"""Examples that run beside the suite's apps (each folder has a README)."""
