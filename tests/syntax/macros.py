from sqlglot import exp

from sqlmesh import macro


@macro()
def knots_to_kmh(evaluator, speed: exp.Expression) -> exp.Expression:
    """Converts a speed in knots to kilometres per hour."""
    return exp.Mul(this=speed, expression=exp.Literal.number(1.852))


@macro("tide_window")
def tidal(evaluator, column, hours: int = 6, *extra, **options):
    """Keeps rows within a tidal window.

    Args:
        column: the timestamp column.
        hours: half the window, in hours.
    """
    return f"{column} BETWEEN high_tide - INTERVAL {hours} HOUR AND high_tide + INTERVAL {hours} HOUR"


def not_a_macro(x):
    return x


@macro(name="Fare_Band")
async def fare_band(
    evaluator,
    amount: exp.Expression,
) -> str:
    return "CASE WHEN amount < 10 THEN 'low' ELSE 'high' END"
