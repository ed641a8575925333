"""An evidence report as one self-contained HTML file: it fetches nothing (inline style and
script, allowed by hash in its Content-Security-Policy; the chart is inline SVG), opens from an
e-mail attachment, and prints readably. Every piece of outside text goes through
``html_text`` (control and bidi characters visible, then HTML-escaped).

Sections: summary, posture over time (per top-level OU), compliance controls with evidence,
per-OU and per-account tables, drift since the previous audit, privileged actions of the
period.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from rootctl.models import (
    AccountAudit,
    ControlStatus,
    EvidenceReport,
    PosturePoint,
    RootCredentials,
)
from rootctl.render.history_docs import describe_change
from rootctl.render.html_style import CONTENT_SECURITY_POLICY, PALETTE, SCRIPT, STYLE
from rootctl.render.text import html_text as h

CHART_W, CHART_H, LEFT, BOTTOM, TOP, RIGHT = 760, 280, 44, 36, 14, 150
MAX_SERIES = 8


def _when(moment: datetime | None) -> str:
    return "—" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], table_id: str = "") -> str:
    ident = f' id="{table_id}"' if table_id else ""
    header = "".join(f'<th scope="col">{h(c)}</th>' for c in head)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table{ident}><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _swatch(color: str) -> str:
    return (
        '<svg class="swatch" width="12" height="12" aria-hidden="true">'
        f'<rect width="12" height="12" fill="{color}"/></svg>'
    )


# -- posture over time ----------------------------------------------------------------------------


def _series(points: Sequence[PosturePoint]) -> list[tuple[str, list[int]]]:
    """Accounts with root credentials per top-level OU and audit; the largest OUs first, the
    rest summed as "other OUs" beyond MAX_SERIES lines."""
    names = sorted({u.unit for p in points for u in p.units})
    values = {
        n: [next((u.with_credentials for u in p.units if u.unit == n), 0) for p in points]
        for n in names
    }
    ranked = sorted(names, key=lambda n: (-max(values[n], default=0), n))
    shown = ranked if len(ranked) <= MAX_SERIES else ranked[: MAX_SERIES - 1]
    series = [(n, values[n]) for n in shown]
    rest = [n for n in ranked if n not in shown]
    if rest:
        series.append(
            (
                f"{len(rest)} other OUs",
                [sum(values[n][i] for n in rest) for i in range(len(points))],
            )
        )
    return series


def posture_chart(points: Sequence[PosturePoint]) -> str:
    if not points:
        return '<p class="muted">No audit in the history yet.</p>'
    series = _series(points)
    total = [p.with_credentials for p in points]
    top = max([*total, 1])
    width, height = CHART_W - LEFT - RIGHT, CHART_H - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (width * i / (len(points) - 1) if len(points) > 1 else width / 2)

    def y(v: int) -> float:
        return TOP + height - height * v / top

    parts = [
        f'<svg class="chart" data-chart="posture" viewBox="0 0 {CHART_W} {CHART_H}" role="img"'
        ' aria-labelledby="chart-title chart-desc">',
        '<title id="chart-title">Member accounts with root credentials, per top-level OU, '
        "at each stored audit</title>",
        '<desc id="chart-desc">'
        + h("; ".join(f"audit {p.audit_id}: {p.with_credentials} with" for p in points))
        + "</desc>",
    ]
    for tick in sorted({0, top // 2, top}):
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{LEFT + width}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}"/><text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{tick}</text>'
        )
    parts.append(
        f'<line class="axis" x1="{LEFT}" x2="{LEFT + width}" y1="{TOP + height}" '
        f'y2="{TOP + height}"/>'
    )
    step = max(1, len(points) // 6)
    for i, p in enumerate(points):
        if i % step == 0 or i == len(points) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{TOP + height + 16}" text-anchor="middle">'
                f"#{p.audit_id} {p.at:%m-%d}</text>"
            )
    lines = [("all member accounts", total, "#111827", ' stroke-dasharray="5 3"')]
    lines += [
        (name, values, PALETTE[i % len(PALETTE)], "") for i, (name, values) in enumerate(series)
    ]
    for name, values, color, dash in lines:
        coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline data-series="{h(name)}" fill="none" stroke="{color}" '
            f'stroke-width="2"{dash} points="{coords}"/>'
        )
        for i, v in enumerate(values):
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{color}">'
                f"<title>{h(name)}: {v} (audit {points[i].audit_id})</title></circle>"
            )
    parts.append("</svg>")
    legend = "".join(f"<li>{_swatch(color)}{h(name)}</li>" for name, _v, color, _d in lines)
    return "".join(parts) + f'<ul class="legend">{legend}</ul>'


def posture_table(points: Sequence[PosturePoint]) -> str:
    names = sorted({u.unit for p in points for u in p.units})
    rows = []
    for p in points:
        by_unit = {u.unit: u for u in p.units}
        cells = [str(p.audit_id), h(_when(p.at)) + ("" if p.complete else " (partial)")]
        cells += [
            f"{by_unit[n].with_credentials}/{by_unit[n].total}" if n in by_unit else "—"
            for n in names
        ]
        rows.append(cells)
    return _table(["Audit", "When", *names], rows)


# -- sections -------------------------------------------------------------------------------------


def _summary(r: EvidenceReport) -> str:
    s = r.audit.summary
    c = s.counts
    members = [a for a in r.audit.accounts if not a.account.is_management]
    without = sum(1 for a in members if a.has_root_credentials is False)
    failed_controls = [
        x.control.id for x in r.compliance.results if x.status is ControlStatus.FAILED
    ]
    cards = [
        (
            str(c.with_credentials),
            "member accounts with root credentials",
            "bad" if c.with_credentials else "ok",
        ),
        (str(without), "without root credentials", "ok"),
        (str(c.failed + c.not_run + c.skipped), "not audited (failed, skipped, not run)", "warn"),
        (str(len(failed_controls)), "controls failing", "bad" if failed_controls else "ok"),
        (
            str(sum(1 for f in r.findings if f.resolved)),
            "findings resolved since earlier audits",
            "ok",
        ),
    ]
    html = '<div class="cards">' + "".join(
        f'<div class="card"><strong class="{tone}">{n}</strong>{h(label)}</div>'
        for n, label, tone in cards
    )
    html += "</div>"
    if r.drift is not None:
        appeared = sum(1 for a in r.drift.accounts if a.credentials_appeared)
        html += (
            f"<p>Since audit {r.drift.before.id} ({h(_when(r.drift.before.started_at))}): "
            f"{len(r.drift.changed)} account(s) changed, "
            f'<span class="{"bad" if appeared else "ok"}">{appeared} with root credentials '
            "that appeared</span>.</p>"
        )
    return html


def _credentials(c: RootCredentials | None) -> str:
    if c is None:
        return "—"
    parts = []
    if c.login_profile is not None:
        parts.append(f"password (login profile, created {_when(c.login_profile.created)})")
    for k in c.access_keys:
        used = _when(k.last_used) if k.last_used else "never used"
        parts.append(f"access key {k.id} ({k.status}, last used {used})")
    parts += [f"MFA {d.kind} {d.serial}" for d in c.mfa_devices]
    parts += [f"signing certificate {s.id} ({s.status})" for s in c.signing_certificates]
    if not parts:
        return '<span class="ok">no root credentials</span>'
    return "<br>".join(h(p) for p in parts)


def _accounts(rows: Sequence[AccountAudit]) -> str:
    def row(a: AccountAudit) -> list[str]:
        state = a.state.value + (f": {a.reason}" if a.reason else "")
        recovery = (
            "—" if a.credentials is None else ("yes" if a.credentials.recovery_allowed else "no")
        )
        return [
            f'<span class="mono">{h(a.account.id)}</span>',
            h(a.account.name),
            h(a.account.ou_path_text),
            h(a.account.state),
            h(state),
            _credentials(a.credentials),
            h(recovery),
        ]

    filter_box = (
        '<p class="screen-only"><label>Filter accounts: <input id="filter" '
        'type="search" autocomplete="off"></label></p>'
    )
    head = ["Account", "Name", "OU path", "Account state", "Audit", "Root credentials", "Recovery"]
    return filter_box + _table(head, (row(a) for a in rows), "accounts")


def _units(rows: Sequence[AccountAudit]) -> str:
    counts: dict[str, Counter[str]] = {}
    for a in rows:
        if a.account.is_management:
            continue
        unit = a.account.ou_path[1] if len(a.account.ou_path) > 1 else "Root"
        flag = a.has_root_credentials
        counts.setdefault(unit, Counter())[
            "with" if flag else "without" if flag is False else "unknown"
        ] += 1
    return _table(
        ["Top-level OU", "With root credentials", "Without", "Not known"],
        (
            [h(u), str(c["with"]), str(c["without"]), str(c["unknown"])]
            for u, c in sorted(counts.items())
        ),
    )


def _controls(r: EvidenceReport) -> str:
    rows = [
        [
            h(x.control.id),
            h(x.control.framework),
            h(x.control.title),
            f'<span class="s-{x.status.value}">{h(x.status.value)}</span>',
            *(str(x.count(s)) for s in ControlStatus),
        ]
        for x in r.compliance.results
    ]
    html = _table(
        ["Control", "Framework", "Title", "Status", "Passed", "Failed", "N/A", "Not seen"], rows
    )
    for x in r.compliance.results:
        groups: dict[tuple[ControlStatus, str], list[str]] = {}
        for f in x.findings:
            label = f"{f.subject_name} ({f.subject_id})" + (f": {f.detail}" if f.detail else "")
            groups.setdefault((f.status, f.reason), []).append(label)
        html += f"<h3>{h(x.control.id)} · {h(x.control.title)}</h3><ul>"
        for (status, reason), subjects in sorted(
            groups.items(), key=lambda g: g[0][0] is not ControlStatus.FAILED
        ):
            html += (
                f'<li><span class="s-{status.value}">{h(status.value)}</span> — {h(reason)}: '
                f'{len(subjects)} · <span class="muted">{h("; ".join(subjects))}</span></li>'
            )
        html += "</ul>"
        if x.status is ControlStatus.FAILED and x.control.remediation:
            html += f"<p><strong>Remediation:</strong> {h(x.control.remediation)}</p>"
    return html


def _drift(r: EvidenceReport) -> str:
    if r.drift is None:
        return '<p class="muted">No earlier audit of this organization in the history.</p>'
    d = r.drift
    rows = [
        [
            f'<span class="mono">{h(a.account_id)}</span>',
            h(a.name),
            h(a.state.value),
            "<br>".join(h(describe_change(c)) for c in a.changes)
            + (f'<br><span class="muted">{h(a.reason)}</span>' if a.reason else ""),
        ]
        for a in d.accounts
        if a.changes
    ]
    quiet = sum(1 for a in d.accounts if not a.changes and a.state.value == "not-comparable")
    html = (
        f"<p>From audit {d.before.id} ({h(_when(d.before.started_at))}) to audit {d.after.id}.</p>"
    )
    html += (
        _table(["Account", "Name", "State", "Changes"], rows)
        if rows
        else "<p>No account changed.</p>"
    )
    if quiet:
        html += (
            f'<p class="muted">{quiet} account(s) not comparable (not audited in both runs).</p>'
        )
    return html


def _journal(r: EvidenceReport) -> str:
    if not r.journal:
        return '<p class="muted">No privileged action was journaled in this period.</p>'
    rows = [
        [
            str(e.id),
            h(_when(e.started_at)),
            h(e.action),
            h(e.target or "—"),
            h(e.account_name or ""),
            h(", ".join(e.items)),
            h(e.outcome),
            h(e.caller_arn or ""),
            h(e.error or ""),
        ]
        for e in r.journal
    ]
    return _table(
        ["ID", "Started", "Action", "Target", "Name", "Items", "Outcome", "Caller", "Error"], rows
    )


def render(r: EvidenceReport) -> str:
    s = r.audit.summary
    facts = [
        ("Organization", r.organization_id),
        (
            "Audit",
            f"{s.id} ({s.scope.text}"
            + ("" if s.complete else ", partial")
            + (", interrupted" if s.interrupted else "")
            + ")",
        ),
        ("Audited", f"{_when(s.started_at)} – {_when(s.finished_at)}"),
        ("By", f"{s.caller_arn or 'unknown caller'} ({s.source.value}, region {s.region or '—'})"),
        ("Journal period", f"{_when(r.period_start)} – {_when(r.period_end)}"),
        ("Generated", f"{_when(r.generated_at)} by rootctl {r.tool_version}"),
    ]
    dl = "".join(f"<dt>{h(k)}</dt><dd>{h(v)}</dd>" for k, v in facts)
    sections = [
        ("summary", "Summary", _summary(r)),
        ("posture", "Posture over time", posture_chart(r.posture) + posture_table(r.posture)),
        ("controls", "Compliance controls", _controls(r)),
        ("units", "Per top-level OU", _units(r.audit.accounts)),
        ("accounts", "Per account", _accounts(r.audit.accounts)),
        ("drift", "Drift since the previous audit", _drift(r)),
        ("journal", "Privileged actions in the period", _journal(r)),
    ]
    body = "".join(
        f'<section id="s-{key}"><h2>{h(title)}</h2>{html}</section>'
        for key, title, html in sections
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>Root access evidence · {h(r.organization_id)} · audit {s.id}</title>"
        f"<style>{STYLE}</style></head><body><main>"
        f'<h1>Root access evidence</h1><dl class="facts">{dl}</dl>{body}</main>'
        "<footer>Made by rootctl from its audit history and journal. Controls: AWS Security Hub "
        "IAM.4, IAM.6, IAM.9 and CIS AWS Foundations Benchmark v7.0 2.1.1, 2.4, 2.5, 2.6.</footer>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )
