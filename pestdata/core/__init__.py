"""Vocabulary, validated records, rules and Dutch text: what every layer above may use; no
storage.
"""
