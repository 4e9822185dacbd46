"""Showing a plotly figure in Voilà, the cheap way.

The figure goes to the browser as a plain plotly mime bundle, drawn by the plotly JupyterLab
renderer that Voilà already loads. This skips plotly.io's renderer machinery, whose first use
imports nbformat and jsonschema (~1.5 s per kernel, see VOILA-NOTES.md), and FigureWidget's
~5 MB bundle per page.
"""

from __future__ import annotations

import json

import ipywidgets as w

MIME = "application/vnd.plotly.v1+json"
CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}


def figure_bundle(figure) -> dict:
    """The mime bundle for one figure: plain JSON, no numpy inside."""
    spec = json.loads(figure.to_json())
    spec["config"] = CONFIG
    return {MIME: spec}


def show_figure(output: w.Output, figure) -> None:
    """Replace what the Output shows in one step (no clear-then-draw flicker, no kernel
    capture needed, so it also works outside Voilà)."""
    _show(output, figure_bundle(figure))


def show_empty(output: w.Output, text: str) -> None:
    """A friendly empty state instead of a broken chart (text is ours, not user input)."""
    _show(output, {"text/html": f'<div class="pd-empty pd-hint">{text}</div>'})


def _show(output: w.Output, bundle: dict) -> None:
    output.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)
