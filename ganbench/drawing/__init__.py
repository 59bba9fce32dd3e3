"""Image drawing shared by training samples, reports and the CLI (imports nothing else of ganbench)."""
