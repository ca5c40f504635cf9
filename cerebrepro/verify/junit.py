"""A verification as a JUnit XML report: one test case per figure, plus the exact check.

CI systems read the ``<testsuite>`` counts and show each ``<failure message=...>``; a
skipped exact check becomes ``<skipped message=...>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from cerebrepro.data.cache import atomic_path
from cerebrepro.verify.check import FAIL, SKIPPED, FigureCheck, Verification
from cerebrepro.verify.paired import PairedCheck

DIGEST_CASE = "spike_digest"


def figure_message(check: FigureCheck) -> str:
    """Why a figure failed, with the tolerance that would have passed it."""
    measured = "undefined" if check.measured is None else f"{check.measured:.6g}"
    return (
        f"{check.name}: measured {measured} {check.unit}, reference {check.reference:.6g}, "
        f"tolerance {check.tolerance:.6g}; a tolerance of {check.deviation:.6g} would pass it"
    )


def paired_message(check: PairedCheck) -> str:
    """Why a paired figure failed: its z and the threshold."""
    return (
        f"{check.name}: z = {check.z:.4g} (mean per-cell count difference from the reference run "
        f"over its paired standard error), threshold {check.threshold:.3g}"
    )


def junit_tree(verification: Verification) -> ET.ElementTree:
    """The report as an ElementTree (``<testsuites><testsuite>...``)."""
    suite_name = f"cerebrepro.verify.{verification.experiment}"
    digest = verification.digest
    failures = (
        len(verification.failures) + len(verification.paired_failures) + (digest.status == FAIL)
    )
    root = ET.Element("testsuites")
    suite = ET.SubElement(
        root,
        "testsuite",
        name=suite_name,
        tests=str(len(verification.figures) + len(verification.paired) + 1),
        failures=str(failures),
        errors="0",
        skipped=str(int(digest.status == SKIPPED)),
    )
    for check in verification.figures:
        case = ET.SubElement(suite, "testcase", classname=suite_name, name=check.name)
        if not check.passed:
            ET.SubElement(case, "failure", message=figure_message(check), type="OutOfTolerance")
    for paired in verification.paired:
        case = ET.SubElement(suite, "testcase", classname=suite_name, name=paired.name)
        if not paired.passed:
            ET.SubElement(case, "failure", message=paired_message(paired), type="OverThreshold")
    case = ET.SubElement(suite, "testcase", classname=suite_name, name=DIGEST_CASE)
    if digest.status == FAIL:
        ET.SubElement(
            case,
            "failure",
            message=f"{digest.reason}: expected {digest.expected}, got {digest.measured}",
            type="DigestMismatch",
        )
    elif digest.status == SKIPPED:
        ET.SubElement(case, "skipped", message=digest.reason)
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(verification: Verification, path: Path) -> Path:
    """Write the JUnit XML report atomically."""
    with atomic_path(Path(path), suffix=".xml") as tmp:
        junit_tree(verification).write(tmp, encoding="utf-8", xml_declaration=True)
    return Path(path)
