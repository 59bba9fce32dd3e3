"""Reports: paper tables, plots, sample grids and refinement strips, from stored metrics and media only."""
