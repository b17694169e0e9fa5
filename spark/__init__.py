"""``--engine spark``: loads replayed on Apache Spark, partitioned by connected group.

Imported only by ``identigraph load --engine spark``; pyspark itself only once Spark starts.
"""
