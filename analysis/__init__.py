"""Event study of the market reaction to DeepSeek R1 (Monday 27 January 2025).

One module per job (see ARCHITECTURE.md): ``cache`` (files in data/), ``market_data`` (the only yfinance user),
``load`` (the one seam for prices), ``calendar`` (XNYS sessions and day 0), ``returns``, ``eventstudy`` and
``inference`` (models and tests), ``claims`` (quoted figures against the market), ``charts`` (every figure),
``config`` (the event, tickers, groups, windows) and ``cli`` (``python -m analysis``).

Importing the package is cheap: submodules are imported where they are used.
"""

__version__ = "0.1.0"
