"""One look for every HTML page the grading stage writes (feedback, reports).

Self-contained pages: inline CSS, images embedded or beside the page, no
scripts, no network. Everything shown is escaped here, once.
"""

from __future__ import annotations

import html

CSS = """
body { font: 15px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f2328;
       max-width: 960px; margin: 2rem auto; padding: 0 1rem; background: #fff; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem;
     border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
.sub { color: #57606a; margin-top: 0; }
.score { font-size: 1.4rem; font-weight: 600; }
.card { border: 1px solid #d0d7de; border-radius: 8px; padding: .8rem 1rem; margin: 1rem 0; }
.card h3 { margin: 0 0 .5rem 0; font-size: 1.05rem; display: flex; justify-content: space-between; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
.pass { color: #1a7f37; font-weight: 700; } .fail { color: #cf222e; font-weight: 700; }
.badge { display: inline-block; font-size: .75rem; padding: 0 .4rem; border-radius: 1rem;
         background: #ddf4ff; color: #0969da; margin-left: .4rem; }
.badge.hidden { background: #fbefff; color: #8250df; }
.badge.warn { background: #fff8c5; color: #9a6700; }
.badge.bad { background: #ffebe9; color: #cf222e; }
.msg { color: #57606a; font-size: .9rem; white-space: pre-wrap; }
.answer { white-space: pre-wrap; background: #f6f8fa; border-radius: 6px; padding: .6rem .8rem; }
.note { background: #fff8c5; border-radius: 6px; padding: .6rem .8rem; }
.bad-note { background: #ffebe9; border-radius: 6px; padding: .6rem .8rem; }
img { max-width: 100%; border: 1px solid #eaeef2; border-radius: 6px; margin: .5rem 0; }
footer { color: #8c959f; font-size: .8rem; margin-top: 3rem; }
"""


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def points(value) -> str:
    """3.0 -> '3', 2.5 -> '2.5', None -> '–'."""
    if value is None:
        return "–"
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0")


def page(title: str, body: str, footer: str = "") -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{esc(title)}</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n{body}\n"
        + (f"<footer>{esc(footer)}</footer>\n" if footer else "")
        + "</body>\n</html>\n"
    )


def table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """An HTML table; cells in `rows` are already-escaped HTML."""
    head = "".join(f"<th class=\"num\">{esc(h)}</th>" if i in numeric else f"<th>{esc(h)}</th>"
                   for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td class=\"num\">{c}</td>" if i in numeric else f"<td>{c}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
