"""report.html: the evaluation as one self-contained page beside its PNG plots.

Rendered from a Jinja2 template (`evals/templates/report.html.j2`) with
autoescaping on, since record text and reject reasons are untrusted. Each
figure carries one line on how to read it; docs/evals.md has the long form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape

if TYPE_CHECKING:
    from retrolean.evals.report_schema import EvalReport

READING = {
    "yields": "Bars are the records each stage received; the orange part is what it rejected "
              "(reasons in the table above).",
    "similarities": "Left: caption round trip, must reach the dashed line. Right: missing-domain "
                    "reformalization, must stay left of it. Mass near a line is a fragile "
                    "threshold.",
    "coverage": "Light: problems sampled with the domain; dark: those that reached the final "
                "set. A short dark bar under a long light one is a domain the stages lose.",
    "cooccurrence": "Pairs of domains sharing a final problem. An even, speckled grid is good; "
                    "bright cells or empty rows are favourite or missing combinations.",
    "personas": "Cross-validated nearest-centroid classification of persona texts (folds by "
                "problem). A strong diagonal means each persona has its own voice.",
    "lossiness": "Similarity of each description to the faithful caption. Lower means more "
                 "of the problem lost or reframed; `missing` has one domain dropped.",
    "near_duplicates": "Each problem's similarity to its closest other problem; mass right "
                       "of the dashed line is near-duplicates.",
    "templates": "How the conversations are spread over the templates.",
    "lengths": "Words per kind of text; box from the 10th to the 90th percentile.",
}


def _fmt(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def render_html(report: EvalReport) -> str:
    """The report page as HTML text."""
    env = Environment(loader=PackageLoader("retrolean.evals", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["fmt"] = _fmt
    return env.get_template("report.html.j2").render(r=report, reading=READING)
