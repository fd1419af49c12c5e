"""Charts of training compute as Vega-Lite specifications: interactive in a browser or
Jupyter, exported to SVG and PNG without a browser (vl-convert).

>>> from aicompute import charts, dataset, trends
>>> analysis = trends.analyze(dataset.load(), bootstrap=100)
>>> chart = charts.modern_chart(analysis)
>>> chart.spec["title"]["text"]
'AlexNet to AlphaGoZero: a 320,000x increase in compute'
"""

from aicompute.charts.above import above_chart
from aicompute.charts.chart import FORMATS, Chart, safe_json, vega_bundle
from aicompute.charts.figures import (
    CHARTS,
    cost_chart,
    domains_chart,
    eras_chart,
    estimate_chart,
    estimate_point,
    forecast_chart,
    modern_chart,
    notable,
)

__all__ = [
    "CHARTS",
    "FORMATS",
    "Chart",
    "above_chart",
    "cost_chart",
    "domains_chart",
    "eras_chart",
    "estimate_chart",
    "estimate_point",
    "forecast_chart",
    "modern_chart",
    "notable",
    "safe_json",
    "vega_bundle",
]
