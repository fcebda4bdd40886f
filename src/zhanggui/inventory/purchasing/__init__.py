"""Purchasing (采购): suppliers, purchase orders, receiving (入库) and returns to the supplier, their pages."""
