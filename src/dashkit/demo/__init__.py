"""The demo data: the committee of the seed article, reproduced with invented units.

Contract: ``build_demo()`` returns the five tables as DataFrames, the same on every call (a
fixed seed, no clock); ``write_demo(store)`` commits them as one undoable version. The figures
match ``shared/design/domain.md``: 79 grassroots units, 2016–2018, 4 classes for party members,
2018 rates rounding to 97 % (members) and 86 % (workers), and the 2018 awards of the article.
Every name here belongs to the demo data; nothing else in dashkit may rely on them.
"""

from __future__ import annotations

from dashkit.demo.generator import DemoSpec, build_demo
from dashkit.demo.writer import write_demo

__all__ = ["DemoSpec", "build_demo", "write_demo"]
