"""One certificate in CPU time: the service (borb), reportlab and Typst in turn, a new name each round.

    .venv/bin/python bench/certificate_cpu_time.py [--rounds 60]

On a shared machine the neighbours' load swings wall-clock medians by a third; CPU time
(`time.process_time`) counts this process's own work only. Prints the medians and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from alternatives import TYPST_MISSING, reportlab_pdf, typst_pdf
from certificate_pdfs import text

from service.pdf.render import render_certificate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=60)
    rounds = parser.parse_args().rounds
    contenders: list[tuple[str, Callable[[int], bytes]]] = [
        ("borb (service)", lambda n: render_certificate(text(n))),
        ("reportlab", lambda n: reportlab_pdf([text(n)])),
    ]
    if TYPST_MISSING:
        print(TYPST_MISSING)
    else:
        contenders.append(("typst", lambda n: typst_pdf([text(n)])))
    for number in range(3):  # warm-up: fonts instanced, caches filled
        for _name, draw in contenders:
            draw(number)
    times: dict[str, list[float]] = {name: [] for name, _ in contenders}
    for round_number in range(rounds):
        shift = round_number % len(contenders)
        for name, draw in contenders[shift:] + contenders[:shift]:
            started = time.process_time()
            draw(1000 + round_number)
            times[name].append(time.process_time() - started)
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    for name, value in medians.items():
        print(f"{name}: {value:.1f} ms")
    for peer in medians.keys() - {"borb (service)"}:
        print(f"borb over {peer}: {medians['borb (service)'] / medians[peer]:.2f}")


if __name__ == "__main__":
    main()
