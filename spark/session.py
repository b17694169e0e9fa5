"""The Spark session of a load: checks that Java and pyspark are there, then starts Spark.

pyspark is imported only here (and by the modules that run on Spark), and only when a
load asks for ``--engine spark``: the rest of identigraph never needs it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

from identigraph.errors import UsageError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: Java version Spark 4 needs (the same as the Neo4j test server's).
JAVA_MAJOR = 17
INSTALL_PYSPARK = "pip install 'identigraph[spark]'"
INSTALL_JAVA = ("install Java 17 or later (Debian: apt-get install openjdk-17-jre-headless) "
                "or set JAVA_HOME to one")


def _java() -> str | None:
    """The java binary Spark will start: ``$JAVA_HOME/bin/java``, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        path = os.path.join(home, "bin", "java")
        return path if os.access(path, os.X_OK) else None
    return shutil.which("java")


def java_major(java: str) -> int | None:
    """The major version ``java -version`` reports (None when it reports none)."""
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60,
                             check=False)
    except OSError:
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if found is None:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major  # "1.8" is Java 8


def require() -> None:
    """Raise a one-line :class:`UsageError` naming the fix when pyspark or Java is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise UsageError(f"--engine spark needs pyspark: {INSTALL_PYSPARK}") from exc
    java = _java()
    if java is None:
        raise UsageError(f"--engine spark needs Java {JAVA_MAJOR}, found none: {INSTALL_JAVA}")
    major = java_major(java)
    if major is None or major < JAVA_MAJOR:
        raise UsageError(f"--engine spark needs Java {JAVA_MAJOR} or later, {java} is "
                         f"{major or 'unknown'}: {INSTALL_JAVA}")


def _local_cores(master: str) -> int | None:
    """The cores of a ``local[N]`` / ``local[*]`` / ``local`` master, None for a cluster."""
    found = re.fullmatch(r"local(?:\[(\*|\d+)(?:,\d+)?\])?", master)
    if found is None:
        return None
    cores = found.group(1)
    if cores is None:
        return 1
    return (os.cpu_count() or 1) if cores == "*" else int(cores)


def spark_session(master: str, conf: dict[str, str]) -> SparkSession:
    """A Spark session on ``master`` (``local[2]``, ``spark://…``, ``yarn``): the web UI
    and console progress off; ``conf`` (``--spark-conf``) goes last and wins."""
    require()
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.master(master).appName("identigraph")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false"))
    cores = _local_cores(master)
    if cores is not None:  # one machine: a few shuffle partitions per core, not 200
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers: this interpreter
        builder = builder.config("spark.sql.shuffle.partitions", str(2 * cores))
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
