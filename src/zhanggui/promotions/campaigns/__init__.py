"""Official campaigns (官方活动): the platforms' SKU rules, a shop's stored campaigns and the eligibility check."""
