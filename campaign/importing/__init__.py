"""Reading sample-point lists from Excel or CSV files into an import plan.

Reading is pure (no writes): ``reading`` turns the uploaded bytes into rows of cells,
``layouts`` finds the header and yields one entry per point, ``planning`` resolves names to
objects and validates every entry. ``campaign.services.imports`` writes the plan.
"""
