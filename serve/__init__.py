"""``identigraph serve``: a read-only HTTP API and web explorer over a store (either backend).

Imported only by the ``serve`` command: Starlette and uvicorn stay off the other commands'
start-up path.
"""
