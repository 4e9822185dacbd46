"""Reports and their handling: the incident log, the care team's reads, signals across cases,
inzage.
"""
