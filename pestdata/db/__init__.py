"""The database boundary: engine and transactions, the tables, their migrations, the monthly
counts, backups.
"""
