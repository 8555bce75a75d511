"""Scale-out on Dask: panels over partitioned Parquet when one DuckDB file on one machine is not enough.

The store exports its events as Parquet partitioned by year (``export_partitioned``); ``panel`` computes the same
dyad panel as :func:`redline.indicators.panel` with dask.dataframe over such a folder (local disk, or any fsspec
URL a Dask cluster can read), so the work spreads over as many workers as the cluster has.
"""

from .panels import export_partitioned, panel

__all__ = ["export_partitioned", "panel"]
