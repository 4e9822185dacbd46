"""Choosing a file to import: refused in the browser when too large, held in memory only."""

from __future__ import annotations

from collections.abc import Callable

import anywidget
import traitlets

from pestdata.registers.reading import MAX_UPLOAD_BYTES, UPLOAD_REFUSAL

UPLOAD_ESM = """
function megabytes(size) {  // as reading.megabytes: '20 MB', '3,5 MB', rounded up
  return (Math.ceil(size / 1e5) / 10).toFixed(1).replace(".", ",").replace(/,0$/, "") + " MB";
}

export default {
  render({ model, el }) {
    const input = document.createElement("input");
    input.type = "file";
    input.accept = model.get("accept");
    input.hidden = true;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "jupyter-button widget-button pd-upload-button";
    button.textContent = model.get("label");
    const status = document.createElement("div");
    status.className = "pd-upload-status";
    status.setAttribute("role", "status");
    el.append(button, input, status);
    // Anywhere on the widget chooses a file: the button, or the message under it.
    el.addEventListener("click", (event) => {
      if (event.target !== input) input.click();
    });
    const say = (text, kind) => {
      status.textContent = text;  // text, never HTML: a file name is the user's
      status.className = "pd-upload-status" + (kind ? " pd-" + kind : "");
    };
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      input.value = "";  // choosing the same file again is a new choice
      if (!file) return;
      if (file.size > model.get("limit")) {
        // Refused here, before a byte is sent; the kernel hears only that it was.
        const text = model.get("refusal").replace("{grootte}", megabytes(file.size));
        say(text.replace("{naam}", file.name), "error");
        model.send({ kind: "te groot", name: file.name, size: file.size });
        return;
      }
      say(file.name + " wordt verstuurd…", "hint");
      const data = await file.arrayBuffer();
      model.send({ kind: "bestand", name: file.name, size: file.size }, undefined, [data]);
      say("", "");
    });
  },
};
"""


class Upload(anywidget.AnyWidget):
    """Choosing a file to import. The browser refuses a file over `limit` with the Dutch
    refusal before sending a byte, and tells the kernel (`on_refused`); a file within the
    limit arrives as one message (the server lets one of that size through), and `value`
    then holds it as ipywidgets' FileUpload would: in memory only, never on disk."""

    _esm = UPLOAD_ESM
    limit = traitlets.Int(MAX_UPLOAD_BYTES).tag(sync=True)
    refusal = traitlets.Unicode(UPLOAD_REFUSAL).tag(sync=True)  # {naam} and {grootte}
    label = traitlets.Unicode("Bestand kiezen").tag(sync=True)
    accept = traitlets.Unicode(".csv,.xlsx").tag(sync=True)
    value = traitlets.Tuple()  # ({"name", "size", "content"},): in the kernel only

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.on_refused: Callable[[str, int], None] | None = None
        self.on_msg(self._received)

    def _received(self, _, content: dict, buffers: list) -> None:
        name = str(content.get("name") or "")
        if content.get("kind") == "bestand" and buffers:
            data = buffers[0]
            self.value = ({"name": name, "size": len(data), "content": data},)
        elif content.get("kind") == "te groot" and self.on_refused:
            size = content.get("size")
            self.on_refused(name, size if isinstance(size, int) else 0)
