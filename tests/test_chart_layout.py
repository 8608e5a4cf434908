"""Chart layout, checked on the figures the project exports: nothing printed over the data, the day-0 line clear of
the legend, end labels one line apart. (The PNGs were also looked at; these tests keep them that way.)"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from analysis.events import flagship
from analysis.figures import FigureInputs, draw


@pytest.fixture(scope="module")
def inputs():
    return FigureInputs(flagship())


def build(inputs, name):
    fig = draw(name, inputs)
    fig.canvas.draw()
    return fig


def test_confounds_are_letters_on_the_chart_and_named_in_the_key(inputs):
    fig = build(inputs, "event_path")
    try:
        ax_ar = fig.axes[0]
        marks = [t.get_text() for t in ax_ar.texts]
        assert marks and all(len(m) == 1 for m in marks), marks  # no long rotated label over the bars
        footer = " ".join(t.get_text() for t in fig.texts)
        assert "CEG agrees to buy Calpine" in footer and "a τ = −10" in footer
    finally:
        plt.close(fig)


def test_day0_line_runs_clear_of_the_legend(inputs):
    fig = build(inputs, "placebo")
    try:
        ax = fig.axes[0]
        legend = ax.get_legend().get_window_extent()
        day0 = [line for line in ax.lines if line.get_label() == "day 0"][0]
        x = ax.transData.transform((day0.get_xdata()[0], 0))[0]
        assert not legend.x0 - 2 <= x <= legend.x1 + 2
    finally:
        plt.close(fig)


def test_end_labels_of_each_price_panel_do_not_overlap(inputs):
    fig = build(inputs, "price_paths")
    try:
        for ax in fig.axes:
            if not ax.get_visible():
                continue
            boxes = sorted((t.get_window_extent() for t in ax.texts), key=lambda b: b.y0)
            assert len(boxes) >= 2
            for below, above in zip(boxes, boxes[1:]):
                assert above.y0 >= below.y1 - 0.5, (ax.get_title(), below, above)
    finally:
        plt.close(fig)
