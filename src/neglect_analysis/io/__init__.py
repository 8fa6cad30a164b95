"""Read and validate an SSD extract (placeholder during build)."""
