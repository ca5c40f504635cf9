"""Data: the manifest, the cache directory, checksummed downloads and safe conversions."""
