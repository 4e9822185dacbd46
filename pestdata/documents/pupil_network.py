"""The signals page's picture of one group: pupils linked by the cases they share.

Pupils (by number) on a circle, coloured by their role. Confidential: it names pupils, so
only the care team's page draws it (ui/signals.py), from what cases/signals.py read."""

from __future__ import annotations

import math

from pestdata.core.markup import counted
from pestdata.documents.charts import GREY, MUTED, Figure, base_layout, figure

NETWORK_ROLES = {  # role in the group's cases -> (legend, colour), colour-blind safe
    "target": ("Gepeste leerling", MUTED[0]),
    "bully": ("Pester", MUTED[6]),
    "both": ("Pester én gepest", MUTED[4]),
    "bystander": ("Omstander", GREY),
}


def network(nodes: dict[str, str], links: dict[tuple[str, str], int], title: str) -> Figure:
    """Pupils (by number) on a circle, a line for each pair that shares cases (thicker for
    more), coloured by their role: who keeps appearing with whom, at a glance."""
    count = max(len(nodes), 1)
    place = {
        pupil: (math.cos(2 * math.pi * i / count), math.sin(2 * math.pi * i / count))
        for i, pupil in enumerate(nodes)
    }
    traces = []
    for weight in sorted(set(links.values())):
        xs, ys = [], []
        for (a, b), shared in links.items():
            if shared == weight:
                xs += [place[a][0], place[b][0], None]
                ys += [place[a][1], place[b][1], None]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": xs,
                "y": ys,
                "line": {"color": "#999999", "width": 1 + 2 * (weight - 1)},
                "hoverinfo": "skip",
                "name": counted(weight, "gedeelde melding", "gedeelde meldingen"),
                "showlegend": False,
            }
        )
    for role, (label, colour) in NETWORK_ROLES.items():
        members = [p for p, r in nodes.items() if r == role]
        if members:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers+text",
                    "name": label,
                    "x": [place[p][0] for p in members],
                    "y": [place[p][1] for p in members],
                    "text": members,
                    "textposition": "top center",
                    "marker": {"size": 16, "color": colour, "line": {"color": "white", "width": 1}},
                    "hovertemplate": "%{text}<extra>" + label + "</extra>",
                }
            )
    hidden = {"visible": False, "range": [-1.3, 1.3]}
    return figure(
        traces, base_layout(title, xaxis=hidden, yaxis={**hidden, "scaleanchor": "x"}, height=520)
    )
