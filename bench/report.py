#!/usr/bin/env python3
"""bench/results/latest.json -> latest.md (tables, ratios, targets) and latest.svg (the chart).

Run by bench.py at the end of `make bench`; run it alone to redraw from a saved latest.json.
"""
import html
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")


def entry(document, key, label):
    for comparison in document["comparisons"]:
        if comparison["key"] == key:
            for row in comparison["entries"]:
                if row["label"] == label:
                    return row
    return None


def median(document, key, label):
    row = entry(document, key, label)
    return row["median"] if row and row["status"] == "measured" else None


def minidock_row(comparison):
    return next((r for r in comparison["entries"] if r["engine"] == "minidock"), None)


def fmt_time(seconds):
    if seconds is None:
        return "—"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds * 1000:.1f} ms"


def targets(document):
    """Each target of issue 13: (what, value, limit, status)."""
    out = []

    def ratio_target(what, key, mine, peer_key, peer, limit):
        a, b = median(document, key, mine), median(document, peer_key, peer)
        if a is None or b is None:
            out.append((what, "—", f"≤ {limit}× {peer}", "missing", key))
        else:
            out.append((what, f"{a / b:.2f}× ({fmt_time(a)} vs {fmt_time(b)})", f"≤ {limit}× {peer}",
                        "met" if a / b <= limit else "missed", key))

    ratio_target("start-up: `minidock version` vs `crun --version`", "startup", "minidock version", "startup", "crun --version", 1.5)
    ratio_target("`run --rm --network none` vs crun's bundle run", "run-rm", "minidock run --rm", "bundle-run", "crun run", 1.5)
    a, b = median(document, "run-rm-bridge", "minidock run --rm (bridge)"), median(document, "run-rm", "minidock run --rm")
    out.append(("the bridge adds", "—" if a is None or b is None else fmt_time(a - b), "≤ 5 ms",
                "missing" if a is None or b is None else ("met" if a - b <= 0.005 else "missed"), "run-rm-bridge"))
    ratio_target("`minidock-runc run` vs `crun run`", "bundle-run", "minidock-runc run", "bundle-run", "crun run", 1.5)
    ratio_target("`exec` vs `docker exec`", "exec", "minidock exec", "exec", "docker exec", 0.2)
    n = next((c["title"].split(" ")[0] for c in document["comparisons"] if c["key"] == "run-d"), "100")
    run_d = next((minidock_row(c) for c in document["comparisons"] if c["key"] == "run-d"), None)
    rm_f = next((minidock_row(c) for c in document["comparisons"] if c["key"] == "rm-f"), None)
    if run_d and rm_f and run_d["status"] == rm_f["status"] == "measured":
        total = run_d["median"] + rm_f["median"]
        out.append((f"{n} detached containers (run -d, then rm -f)", fmt_time(total), "< 3 s", "met" if total < 3 else "missed", "run-d"))
    else:
        out.append((f"{n} detached containers (run -d, then rm -f)", "—", "< 3 s", "missing", "run-d"))
    monitor = next((m for m in document["memory"] if m["key"] == "monitor" and m["engine"] == "minidock"), None)
    if monitor and monitor["status"] == "measured":
        out.append(("monitor's private memory", f"{monitor['kib']} KiB", "≤ 1024 KiB", "met" if monitor["kib"] <= 1024 else "missed", "monitor"))
    else:
        out.append(("monitor's private memory", "—", "≤ 1024 KiB", "missing", "monitor"))
    ratio_target("pull vs `skopeo copy`", "pull", "minidock pull", "pull", "skopeo copy (oci dir)", 1.2)
    ratio_target("unpack (`import`) vs `tar -x`", "unpack", "minidock import", "unpack", "tar -x", 1.2)
    return out


def markdown(document):
    lines = [f"# minidock benchmark — {document['date']}", "",
             f"Commit `{document['commit']}` · {document['machine']['cpu']} × {document['machine']['cpus']} · "
             f"Linux {document['machine']['kernel']}" + (" · **quick run**" if document.get("quick") else ""), "",
             "Peers: " + ", ".join(document["versions"].values()) + ".", "",
             "Times are hyperfine's median over the runs shown, with the interquartile range (q1–q3). "
             "*ratio* is minidock's median over the peer's: below 1 minidock is faster. "
             "*missing*: the minidock command does not exist yet; the peers are measured anyway.", "",
             "## Targets (issue 13)", "", "| target | minidock | limit | status |", "|---|---|---|---|"]
    for what, value, limit, status, _ in targets(document):
        mark = {"met": "✅ met", "missed": "❌ missed", "missing": "⏳ missing"}[status]
        lines.append(f"| {what} | {value} | {limit} | {mark} |")
    lines += ["", "## Comparisons", ""]
    for comparison in document["comparisons"]:
        mine = minidock_row(comparison)
        lines += [f"### {comparison['title']}", ""]
        if comparison.get("note"):
            lines += [f"_{comparison['note']}_", ""]
        lines += ["| command | median | q1–q3 | min–max | runs | minidock ÷ this |", "|---|---|---|---|---|---|"]
        for row in comparison["entries"]:
            if row["status"] != "measured":
                lines.append(f"| `{row['label']}` | missing | | | | {row.get('why', '')} |")
                continue
            ratio = ""
            if row["engine"] != "minidock" and mine and mine["status"] == "measured":
                ratio = f"{mine['median'] / row['median']:.2f}×"
            lines.append(f"| `{row['label']}` | {fmt_time(row['median'])} | {fmt_time(row['q1'])}–{fmt_time(row['q3'])} | "
                         f"{fmt_time(row['min'])}–{fmt_time(row['max'])} | {row['runs']} | {ratio} |")
        lines.append("")
    lines += ["## Memory", "", "| what | private memory |", "|---|---|"]
    for m in document["memory"]:
        title = "monitor of a running container" if m["key"] == "monitor" else "idle, no container"
        value = f"{m['kib'] / 1024:.1f} MiB" if m["status"] == "measured" else f"missing ({m.get('why', '')})"
        lines.append(f"| {title}: {m['label']} | {value} |")
    phases = document.get("phases")
    if phases:
        lines += ["", f"## Where the time goes: a Lesson04 container start, by phase", "",
                  f"`strace -f -ttt` (seccomp-bpf), median of {phases['runs']} runs; strace slows each traced call, "
                  f"so read the shares (total under strace: {fmt_time(phases['total'])}).", "",
                  "| phase | median | share |", "|---|---|---|"]
        for name, value in phases["phases"]:
            share = f"{100 * value / phases['total']:.0f} %" if value is not None and phases["total"] else ""
            lines.append(f"| {name} | {fmt_time(value)} | {share} |")
    lines += ["", "## Binary sizes", "", "| binary | size |", "|---|---|"]
    for name, size in document["binary_sizes"].items():
        lines.append(f"| {name} | {size / 1e6:.1f} MB |")
    return "\n".join(lines) + "\n"


def missing_text(row):
    if row["engine"] == "minidock":
        return "missing — not in minidock yet"
    return f"not measured — {row.get('why', '')}"


COLORS = {"minidock": "#d9480f", "crun": "#1971c2", "runc": "#4dabf7", "podman": "#7048e8",
          "docker": "#0c8599", "skopeo": "#5c940d", "tar": "#868e96", "umoci": "#a61e4d"}
STATUS_COLORS = {"met": "#2b8a3e", "missed": "#c92a2a", "missing": "#868e96"}


def svg(document):
    """Small multiples: one panel per comparison, a bar per command (median, q1–q3 whisker),
    each panel on its own scale, minidock first and in orange, missing ones hatched."""
    width, bar_h, gap, label_w = 900, 18, 5, 230
    plot_w = width - label_w - 250
    panels = [c for c in document["comparisons"] if c["entries"]]
    for key, title in (("monitor", "private memory of a container's monitor"), ("idle", "idle memory, no container running")):
        rows = []
        for m in document["memory"]:
            if m["key"] != key:
                continue
            row = {"label": m["label"], "engine": m["engine"], "status": m["status"], "why": m.get("why", "")}
            if m["status"] == "measured":
                v = m["kib"] / 1024
                row.update(median=v, q1=v, q3=v, unit="MiB")
            rows.append(row)
        panels.append({"key": key, "title": title, "entries": rows})
    marks = {}
    for what, value, limit, status, key in targets(document):
        marks.setdefault(key, []).append((f"target {limit}: {status}", status))
    y = 70
    parts = []
    for comparison in panels:
        rows = comparison["entries"]
        measured = [r for r in rows if r["status"] == "measured"]
        top = max([r["q3"] for r in measured] + [r["median"] for r in measured] + [1e-9])
        scale = plot_w / top
        parts.append(f'<text x="20" y="{y}" class="panel">{html.escape(comparison["title"])}</text>')
        for i, (text, status) in enumerate(marks.get(comparison["key"], [])[:1]):
            parts.append(f'<text x="{width - 20}" y="{y}" class="mark" text-anchor="end" fill="{STATUS_COLORS[status]}">{html.escape(text)}</text>')
        y += 10
        mine = minidock_row(comparison)
        for row in rows:
            color = COLORS.get(row["engine"], "#495057")
            parts.append(f'<text x="{label_w - 8}" y="{y + bar_h - 5}" class="label" text-anchor="end">{html.escape(row["label"])}</text>')
            if row["status"] != "measured":
                parts.append(f'<rect x="{label_w}" y="{y}" width="{plot_w * 0.25:.1f}" height="{bar_h}" fill="url(#hatch)" stroke="#adb5bd"/>')
                parts.append(f'<text x="{label_w + plot_w * 0.25 + 6:.1f}" y="{y + bar_h - 5}" class="missing">{html.escape(missing_text(row))}</text>')
            else:
                w = max(1.0, row["median"] * scale)
                parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}" rx="2"/>')
                x1, x3 = label_w + row["q1"] * scale, label_w + row["q3"] * scale
                parts.append(f'<line x1="{x1:.1f}" x2="{x3:.1f}" y1="{y + bar_h / 2}" y2="{y + bar_h / 2}" stroke="#212529" stroke-width="1.5"/>')
                text = f'{row["median"]:.1f} MiB' if row.get("unit") == "MiB" else fmt_time(row["median"])
                if row["engine"] != "minidock" and mine and mine["status"] == "measured" and row.get("unit") != "MiB":
                    text += f"  (minidock {mine['median'] / row['median']:.2f}×)"
                parts.append(f'<text x="{label_w + max(w, x3 - label_w) + 6:.1f}" y="{y + bar_h - 5}" class="value">{html.escape(text)}</text>')
            y += bar_h + gap
        y += 30
    phases = document.get("phases")
    if phases:
        palette = ["#495057", "#2b8a3e", "#1971c2", "#f08c00", "#ae3ec9", "#0c8599", "#adb5bd", "#c92a2a"]
        parts.append(f'<text x="20" y="{y}" class="panel">where a Lesson04 container start spends its time (strace, median of {phases["runs"]})</text>')
        y += 10
        x, total = 20.0, sum(v for _, v in phases["phases"] if v) or 1
        full = width - 40
        for i, (name, value) in enumerate(phases["phases"]):
            if not value:
                continue
            w = full * value / total
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h + 4}" fill="{palette[i % len(palette)]}"/>')
            x += w
        y += bar_h + 20
        for i, (name, value) in enumerate(phases["phases"]):
            parts.append(f'<rect x="20" y="{y - 10}" width="10" height="10" fill="{palette[i % len(palette)]}"/>'
                         f'<text x="36" y="{y}" class="label">{html.escape(name)}: {fmt_time(value)} '
                         f'({100 * (value or 0) / total:.0f} %)</text>')
            y += 16
        y += 20
    height = y + 10
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            'font-family="DejaVu Sans, Helvetica, Arial, sans-serif">'
            '<style>.title{font-size:18px;font-weight:bold}.sub{font-size:12px;fill:#495057}'
            '.panel{font-size:14px;font-weight:bold}.label{font-size:12px}.value{font-size:12px;fill:#212529}'
            '.missing{font-size:12px;fill:#868e96;font-style:italic}.mark{font-size:12px;font-weight:bold}</style>'
            '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#ced4da" stroke-width="3"/></pattern></defs>'
            f'<rect width="{width}" height="{height}" fill="white"/>'
            f'<text x="20" y="28" class="title">minidock side by side with crun, runc, podman and Docker — shorter is better</text>'
            f'<text x="20" y="48" class="sub">{html.escape(document["date"])} · commit {html.escape(document["commit"])} · '
            'bar: median (line: q1–q3), each panel on its own scale · (minidock N×): minidock’s median ÷ that one</text>')
    return head + "".join(parts) + "</svg>\n"


def main():
    with open(os.path.join(RESULTS, "latest.json")) as f:
        document = json.load(f)
    with open(os.path.join(RESULTS, "latest.md"), "w") as f:
        f.write(markdown(document))
    with open(os.path.join(RESULTS, "latest.svg"), "w") as f:
        f.write(svg(document))
    print(f"bench: wrote {RESULTS}/latest.json, latest.md, latest.svg")
    for what, value, limit, status, _ in targets(document):
        print(f"  {status:8} {what}: {value} (limit {limit})")


if __name__ == "__main__":
    main()
