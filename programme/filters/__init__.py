"""The programme's FilterSets, one module per area, used by both the pages and the API."""
