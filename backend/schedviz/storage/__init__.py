"""Recorded runs: the recordings file, its downloadable form, and exports to other tools.

`recordings.RecordingStore` is the library (one SQLite file in the data directory,
`datadir.data_dir()`); `archive` moves one recording out to a file and files back in. Nothing
here imports the web, the lab or the instrumentation: the web imports this.
"""
