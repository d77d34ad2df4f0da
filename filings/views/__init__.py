"""Screens by audience: agency, review (district, industry, city), expert, notice, receipt, change, directory (public)."""
