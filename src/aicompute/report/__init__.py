"""The report: one folder with an offline page, charts (SVG, PNG), data and a summary."""

from aicompute.report.build import ReportResult, appendix_rows, build_report, record_rows

__all__ = ["ReportResult", "appendix_rows", "build_report", "record_rows"]
