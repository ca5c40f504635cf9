"""`cerebrepro info`: versions, NEST capabilities, the data cache and what it holds."""
