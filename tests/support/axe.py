"""axe-core (the npm package pinned in tests/browser/) run inside a page opened over CDP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cdp import Page

AXE = Path(__file__).resolve().parents[1] / "browser" / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The WCAG 2.1 A and AA violations axe-core finds in the loaded page."""
    assert AXE.is_file(), f"{AXE} is missing: run `npm ci` in tests/browser (see .ci/run)"
    if not await page.evaluate("typeof axe !== 'undefined'"):
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    options = {"runOnly": {"type": "tag", "values": WCAG21_AA}, "resultTypes": ["violations"]}
    found: list[dict[str, Any]] = await page.evaluate(
        f"axe.run(document, {json.dumps(options)}).then(r => r.violations.map({_SUMMARY}))"
    )
    return found


_SUMMARY = """v => ({id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)})"""
