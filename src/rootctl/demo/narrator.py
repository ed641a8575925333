"""The demo's voice: step headings, prose, the commands it runs and what AWS answered.

Everything goes to stdout, in order with the commands' own output. Colour only on a terminal
(rich decides, and honours NO_COLOR); prose is wrapped to the terminal (80 columns on a pipe,
at most 100) with hanging indents and no trailing blanks, so it reads well either way.
Names and AWS answers in the text are outside text: the console never parses markup or emoji
codes, and control and bidi characters show as escapes (rootctl.render.text).
"""

from __future__ import annotations

import sys
import textwrap
from typing import TextIO

from rich.console import Console, RenderableType
from rich.rule import Rule
from rich.text import Text

from rootctl.render.text import inert, inert_lines

MAX_WIDTH = 100


class Narrator:
    def __init__(self, *, pause: bool = False, stdin: TextIO | None = None) -> None:
        self.pause_between_steps = pause
        self._stdin = stdin
        self._steps_shown = 0

    @property
    def console(self) -> Console:
        # Built per use so that it follows sys.stdout (tests swap it).
        return Console(file=sys.stdout, markup=False, emoji=False, highlight=False, soft_wrap=True)

    def _print(
        self, first: str, rest: str, text: str, *, style: str = "", text_style: str = ""
    ) -> None:
        """``text`` wrapped after the prefix ``first``; later lines indented like ``rest``."""
        console = self.console
        width = min(console.width, MAX_WIDTH) - len(first)
        lines = textwrap.wrap(
            " ".join(inert_lines(text).split()),
            max(width, 20),
            break_long_words=False,  # ARNs and ids stay whole, even if the line overflows
            break_on_hyphens=False,  # account names like sandbox-ml-experiments too
        ) or [""]
        body = Text(lines[0], style=text_style)
        for line in lines[1:]:
            body.append(f"\n{rest}{line}")
        console.print(Text(first, style=style) + body)

    def banner(self, title: str, subtitle: str) -> None:
        self.console.print(Text(inert(title), style="bold"))
        self._print("", "", subtitle, style="dim")

    def step(self, number: int, total: int, title: str) -> None:
        if self._steps_shown and self.pause_between_steps:
            self._wait(f"Press Enter for step {number} of {total}: {inert(title)} (Ctrl-C stops) ")
        self._steps_shown += 1
        console = self.console
        console.print()
        rule = Rule(Text(f"Step {number} of {total} · {inert(title)}"), align="left", style="cyan")
        console.print(rule, width=min(console.width, MAX_WIDTH))

    def say(self, text: str) -> None:
        """A paragraph of explanation."""
        self.console.print()
        self._print("", "", text)

    def command(self, line: str) -> None:
        self.console.print()
        self.console.print(Text(f"$ {inert(line)}", style="bold cyan"))

    def action(self, text: str) -> None:
        """Something done that is not a rootctl command (a console sign-in, a reset request)."""
        self.console.print()
        self._print("» ", "  ", text, style="bold")

    def answer(self, text: str, *, ok: bool = True) -> None:
        """What AWS answered, as the story expects: ✔ for a success, ✘ for a refusal."""
        self._print("  ✔ " if ok else "  ✘ ", "    ", text, style="green" if ok else "red")

    def fact(self, text: str) -> None:
        """What AWS reported, neither a success nor a refusal."""
        self._print("  → ", "    ", text, style="cyan")

    def detail(self, text: str) -> None:
        self._print("    ", "    ", text, text_style="dim")

    def heading(self, text: str) -> None:
        self._print("", "  ", text, text_style="bold")

    def marked(self, mark: str, style: str, text: str) -> None:
        """An indented line under a heading, with its own mark (✔ ✘ ○ ·)."""
        self._print(f"    {mark} ", "      ", text, style=style)

    def code(self, line: str) -> None:
        """A line to copy, kept whole (commands, export lines)."""
        self.console.print(Text(f"    {inert(line)}"))

    def show(self, renderable: RenderableType) -> None:
        self.console.print()
        self.console.print(renderable)

    def _wait(self, prompt: str) -> None:
        stdin = self._stdin or sys.stdin
        sys.stdout.flush()
        sys.stderr.write(prompt)
        sys.stderr.flush()
        if not stdin.readline():  # end of input: nobody is there to press Enter any more
            self.pause_between_steps = False
