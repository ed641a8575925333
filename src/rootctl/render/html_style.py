"""The evidence report's inline style and script (one self-contained file: nothing is fetched;
the page's Content-Security-Policy allows exactly these two blocks, by hash)."""

from __future__ import annotations

import base64
import hashlib

STYLE = """
:root { --fg:#111827; --muted:#4b5563; --line:#d1d5db; --bad:#b91c1c; --ok:#15803d;
  --warn:#92400e; --bg:#ffffff; --head:#f3f4f6; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 78rem; padding: 1.5rem; color: var(--fg); background: var(--bg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .6rem;
  border-bottom: 2px solid var(--line); padding-bottom: .2rem; } h3 { font-size: 1rem; }
code, .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .92em; }
.muted { color: var(--muted); } main, table { overflow-wrap: anywhere; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
.facts dt { color: var(--muted); } .facts dd { margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .75rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; }
.card strong { display: block; font-size: 1.5rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
thead th { background: var(--head); }
.s-FAILED, .bad { color: var(--bad); font-weight: 600; }
.s-PASSED, .ok { color: var(--ok); font-weight: 600; }
.s-NOT_APPLICABLE, .s-NOT_EVALUATED, .warn { color: var(--warn); font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; list-style: none; padding: 0;
  margin: .25rem 0; font-size: .88rem; }
.swatch { display: inline-block; width: .9rem; height: .9rem; border-radius: 2px;
  margin-right: .35rem; vertical-align: -2px; }
svg.chart { width: 100%; height: auto; max-width: 760px; display: block; }
svg.chart text { font-size: 11px; fill: var(--fg); }
svg.chart .axis { stroke: var(--muted); stroke-width: 1; }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
#filter { font: inherit; padding: .3rem .5rem; min-width: 16rem; border: 1px solid #6b7280;
  border-radius: 4px; }
footer { margin-top: 2rem; font-size: .85rem; color: var(--muted); }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  #filter, .screen-only { display: none; }
  h2 { break-after: avoid; } tr, .card, svg.chart { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""

SCRIPT = """
(function () {
  var box = document.getElementById("filter");
  if (!box) return;
  var rows = document.querySelectorAll("#accounts tbody tr");
  box.addEventListener("input", function () {
    var q = box.value.trim().toLowerCase();
    rows.forEach(function (row) {
      row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) === -1;
    });
  });
  document.documentElement.setAttribute("data-script", "ready");
})();
"""


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# Nothing but the inline style, the inline script and data: images; no network at all.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src {_hash(STYLE)}; script-src {_hash(SCRIPT)}; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)

PALETTE = ("#1d4ed8", "#b91c1c", "#15803d", "#a16207", "#7e22ce", "#0e7490", "#be185d", "#4b5563")
