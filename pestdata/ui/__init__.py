"""The dashboards' widgets: each page built from its parts, reading through the layers below."""
