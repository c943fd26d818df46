"""``econsec stockpile coordinate`` and ``econsec support plan``: the Economic Security Promotion
Act's stockpile coordination with like-minded countries and targeting of support."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from econsec.cli.app import FormatOption, app, emit

stockpile_app = typer.Typer(help="Stockpiles of critical products.", no_args_is_help=True)
support_app = typer.Typer(help="Support for critical products' supply.", no_args_is_help=True)
app.add_typer(stockpile_app, name="stockpile")
app.add_typer(support_app, name="support")


def _yaml(path: Path) -> Any:
    import yaml

    from econsec.errors import InputError

    if not path.exists():
        raise InputError("no such file", file=str(path))
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError("not valid YAML: {v1}", values={"v1": exc}, file=str(path)) from None


@stockpile_app.command("coordinate")
def coordinate(
    file: Annotated[Path, typer.Argument(help="The case (YAML; see docs/programmes.md).")],
    format: FormatOption = "table",
) -> None:
    """Who builds which stock before a supplier's cut and who lends what to whom during it, at
    least total cost, each country's share by the burden-sharing rule, against acting alone."""
    from econsec.reference.names import country_name, product_name
    from econsec.scenarios.stockpile import METHOD, coordinate, read_case

    case = read_case(_yaml(file), file.name)
    result = coordinate(case)
    data = result.as_dict(case)
    pairs: dict[tuple[str, str], float] = {}
    for x in result.lending:
        pairs[x["from"], x["to"]] = pairs.get((x["from"], x["to"]), 0.0) + x["amount"]
    text = [f"{case.product} {product_name(case.product)[:50]}: {case.supplier} cuts "
            f"{case.share_blocked:.0%} from day {case.start_day} for {case.days} days; costs "
            f"shared by {case.burden_sharing}", "",
            f"{'country':<22}{'stock':>12}{'shortfall':>12}{'cost':>14}{'alone':>14}"]  # fmt: skip
    for c in result.countries:
        alone = "cannot alone" if c["cost_alone"] is None else f"{c['cost_alone']:,.2f}"
        name = f"{c['code']} {country_name(c['code'])}"[:21]
        text.append(f"{name:<22}{c['stock_target']:>12,.1f}{c['shortfall']:>12,.1f}"
                    f"{c['cost']:>14,.2f}{alone:>14}")  # fmt: skip
    text += ["", f"total cost {result.total_cost:,.2f}"
             + ("" if result.total_cost_alone is None
                else f" (acting alone: {result.total_cost_alone:,.2f})")]  # fmt: skip
    text += [f"{a} lends {b} {v:,.1f} units in all" for (a, b), v in sorted(pairs.items())]
    text += [f"the {case.burden_sharing} rule leaves {c['code']} {-c['gain']:,.2f} worse off than "
             "acting alone" for c in result.countries if c["gain"] is not None and c["gain"] < 0]  # fmt: skip
    text.append(f"method: {METHOD}")
    emit(data, format, text)


@support_app.command("plan")
def support_plan(
    file: Annotated[
        Path, typer.Argument(help="Candidate measures (YAML; see docs/programmes.md).")
    ],
    budget: Annotated[float, typer.Option(help="What may be spent, in the measures' currency.")],
    format: FormatOption = "table",
) -> None:
    """The measures a budget should fund to cut the expected shortfall most (weighted by each
    product's importance), each measure's marginal value per unit spent, and the curve."""
    from econsec.scenarios.support import METHOD, plan, read_measures

    measures, at_stake, weight = read_measures(_yaml(file), file.name)
    result = plan(measures, budget, at_stake, weight)
    text = [f"budget {budget:,.0f}: {len(result.chosen)} of {len(measures)} measures, cost "
            f"{result.cost:,.0f}, weighted shortfall cut {result.risk_reduction:,.0f}", ""]  # fmt: skip
    for m in measures:
        value = result.marginal[m.id]
        shown = "–" if value is None else f"{value:,.3f}"
        text.append(f"  {'chosen  ' if m.id in result.chosen else 'rejected'} {m.id:<24} "
                    f"{m.kind:<22} {m.product} cost {m.cost:>14,.0f}  value per unit {shown}")  # fmt: skip
    text.append(f"method: {METHOD}")
    emit(result.as_dict(), format, text)
