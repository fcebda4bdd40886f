"""Stored promotions (促销活动): their spec as stored, approval, calendar, import and export, editor pages and API."""
