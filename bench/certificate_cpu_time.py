"""One certificate in CPU time: the service (borb) and reportlab in turn, a new name each round.

    .venv/bin/python bench/certificate_cpu_time.py [--rounds 60]

On a shared machine the neighbours' load swings wall-clock medians by a third; CPU time
(`time.process_time`) counts this process's own work only. Prints the medians and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from alternatives import reportlab_pdf
from certificate_pdfs import text

from service.pdf.render import render_certificate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=60)
    rounds = parser.parse_args().rounds
    for number in range(3):  # warm-up: fonts instanced, caches filled
        render_certificate(text(number))
        reportlab_pdf([text(number)])
    times: dict[str, list[float]] = {"borb (service)": [], "reportlab": []}
    for round_number in range(rounds):
        contenders = [
            ("borb (service)", lambda n: render_certificate(text(n))),
            ("reportlab", lambda n: reportlab_pdf([text(n)])),
        ]
        for name, draw in contenders[round_number % 2 :] + contenders[: round_number % 2]:
            started = time.process_time()
            draw(1000 + round_number)
            times[name].append(time.process_time() - started)
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    for name, value in medians.items():
        print(f"{name}: {value:.1f} ms")
    print(f"borb over reportlab: {medians['borb (service)'] / medians['reportlab']:.2f}")


if __name__ == "__main__":
    main()
