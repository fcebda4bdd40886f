"""Stocktakes (盘点): count sheets, counts typed, scanned or uploaded, and booking the differences, their pages."""
