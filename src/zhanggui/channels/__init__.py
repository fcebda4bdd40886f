"""One adapter per platform: the files the platforms' seller back-offices write, read into one shape.

Pure: no database, no clock. `orders.imports` turns what the readers give into orders; the same adapters will
write the platforms' bulk-ship upload files and read their refund exports.
"""
