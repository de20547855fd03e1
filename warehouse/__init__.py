"""Python glue of the customer warehouse: database lifecycle, sample data, pipeline run and CLI."""
