#!/usr/bin/env python3
"""Opens a report in a real headless browser (Debian's chromium through chromium-driver) and checks it.

Usage: check_report.py REPORT.html [--screenshot PNG] [--width 1280] [--height 2400]

Fails (exit 1, one line per problem) when the page logs a console error, fetches anything (the
report must be self-contained), has fewer charts than its <body data-charts> says, or a chart is
missing or smaller than MIN_WIDTH × MIN_HEIGHT CSS pixels or has no drawn content. Prints the
size of every chart. --screenshot saves what the browser rendered (the top --height pixels).
"""
import argparse
import os
import shutil
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

MIN_WIDTH, MIN_HEIGHT = 300, 150
MIN_SHAPES = 20  # drawn paths, lines, texts… in one chart's SVG


def find(names, what):
    for n in names:
        path = shutil.which(n) or (n if os.path.exists(n) else None)
        if path:
            return path
    raise SystemExit(f"check_report: {what} not found (install Debian's chromium and chromium-driver: Tools/test does)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report")
    ap.add_argument("--screenshot")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=2400, help="largest screenshot height (px); a shorter page is shot whole")
    args = ap.parse_args(argv)
    if not os.path.isfile(args.report):
        print(f"check_report: {args.report}: no such file", file=sys.stderr)
        return 1
    options = webdriver.ChromeOptions()
    options.binary_location = find(["chromium", "/usr/bin/chromium"], "chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--window-size={args.width},{args.height}", "--hide-scrollbars"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(find(["chromedriver", "/usr/bin/chromedriver"], "chromedriver")),
                              options=options)
    problems = []
    try:
        driver.get("file://" + os.path.abspath(args.report))
        state = driver.execute_script("return document.readyState")
        if state != "complete":
            problems.append(f"document.readyState is {state!r}")
        for entry in driver.get_log("browser"):
            if entry.get("level") in ("SEVERE", "ERROR"):
                problems.append(f"console: {entry.get('message')}")
        fetched = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        for url in fetched:
            problems.append(f"fetched {url} (the report must be self-contained)")
        expected = int(driver.execute_script("return document.body.dataset.charts || '0'"))
        charts = driver.execute_script("""
            return Array.from(document.querySelectorAll('figure.chart')).map(f => {
                const svg = f.querySelector('svg');
                const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
                return {name: f.dataset.chart, svg: !!svg, width: r.width, height: r.height,
                        shapes: svg ? svg.querySelectorAll('path, line, rect, text, use, polyline').length : 0};
            });""")
        if expected < 1:
            problems.append("<body data-charts> is missing or 0")
        if len(charts) != expected:
            problems.append(f"{len(charts)} charts, the page says {expected}")
        for c in charts:
            print(f"chart {c['name']}: {c['width']:.0f} × {c['height']:.0f} px, {c['shapes']} shapes")
            if not c["svg"]:
                problems.append(f"chart {c['name']}: no <svg>")
            elif c["width"] < MIN_WIDTH or c["height"] < MIN_HEIGHT:
                problems.append(f"chart {c['name']}: {c['width']:.0f} × {c['height']:.0f} px, below {MIN_WIDTH} × {MIN_HEIGHT}")
            elif c["shapes"] < MIN_SHAPES:
                problems.append(f"chart {c['name']}: only {c['shapes']} drawn shapes")
        if args.screenshot:
            page = int(driver.execute_script("return document.documentElement.scrollHeight"))
            driver.set_window_size(args.width, max(200, min(args.height, page)))
            folder = os.path.dirname(os.path.abspath(args.screenshot))
            os.makedirs(folder, exist_ok=True)
            tmp = os.path.join(folder, ".screenshot-tmp.png")
            if not driver.save_screenshot(tmp):
                problems.append("the screenshot failed")
            else:
                os.replace(tmp, args.screenshot)
                print(f"screenshot: {args.screenshot}")
    finally:
        driver.quit()
    for p in problems:
        print(f"check_report: {args.report}: {p}", file=sys.stderr)
    if not problems:
        print(f"check_report: {args.report}: loads without errors, {len(charts)} charts present")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
