"""Flash sales (秒杀): a SKU at a flash price under a stock cap and a per-buyer cap, bought in one transaction."""
