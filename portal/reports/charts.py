"""Bar charts drawn on the server as SVG, with nothing but the numbers they show.

Each chart is an image with a title and a description for screen readers, and the page
shows the same numbers in a table beside it, so no one depends on the picture.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
BAR_AREA_LEFT = 170
ROW_HEIGHT = 28
BAR_HEIGHT = 18
# Past this many bars a chart is a wall of lines no one can read (a year's weeks, or every
# group of a large charity): the table beside it carries the figures alone.
MAX_BARS = 60


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: int
    width: int

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 4

    @property
    def value_x(self) -> int:
        return BAR_AREA_LEFT + self.width + 6


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    bars: list[Bar]
    unit: str = ""

    width: int = WIDTH
    label_x: int = BAR_AREA_LEFT - 8
    bar_x: int = BAR_AREA_LEFT
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * ROW_HEIGHT + 8


def bar_chart(
    *, title: str, labels: list[str], values: list[float], unit: str = ""
) -> BarChart | None:
    """Horizontal bars, longest value full width; labels are cut to fit, never the numbers.
    No chart for more than ``MAX_BARS`` bars."""
    if len(labels) > MAX_BARS:
        return None
    longest = max([v for v in values if v] or [1])
    room = WIDTH - BAR_AREA_LEFT - 70
    bars = [
        Bar(
            label=label if len(label) <= 24 else label[:23] + "…",
            value=value,
            y=4 + index * ROW_HEIGHT,
            width=int(room * (value or 0) / longest),
        )
        for index, (label, value) in enumerate(zip(labels, values, strict=True))
    ]
    description = "; ".join(f"{bar.label}: {bar.value:g}{unit}" for bar in bars)
    return BarChart(title=title, description=description or "No data", bars=bars, unit=unit)
