"""Dash component ids of the HR month."""

from __future__ import annotations

# -- HR: star awards, ledger, wall poster (issue 5) -----------------------------------------
# monthly ranking (/hr)
HR_MONTH = "hr-month"
HR_TEAM = "hr-team"
HR_REVISION = "hr-revision"  # the revision shown (None: the latest)
HR_STATUS = "hr-status"
HR_SIGNAL = "hr-signal"  # Store: bumped after an action (the page redraws)
HR_MESSAGE = "hr-message"
HR_NOTICE = "hr-notice"
HR_LINKS = "hr-links"
HR_STARS = "hr-stars"
HR_TABLE = "hr-table"
HR_DETAIL = "hr-detail"
HR_REVISIONS = "hr-revisions"
HR_COMPUTE = "hr-compute"
HR_REVIEW = "hr-review"
HR_PUBLISH = "hr-publish"
# publishing is final: Publish asks, Confirm publishes (issue 11.17)
HR_PUBLISH_ASK = "hr-publish-ask"
HR_PUBLISH_ASK_TEXT = "hr-publish-ask-text"
HR_PUBLISH_PENDING = "hr-publish-pending"
HR_PUBLISH_CONFIRM = "hr-publish-confirm"
HR_PUBLISH_CANCEL = "hr-publish-cancel"
HR_REVISE = "hr-revise"
HR_REVISE_REASON = "hr-revise-reason"
HR_REVISE_BOX = "hr-revise-box"
HR_EXPORT_CSV = "hr-export-csv"
HR_EXPORT_XLSX = "hr-export-xlsx"
HR_TIE_PICK = "hr-tie-pick"  # pattern: {"type": HR_TIE_PICK, "index": star key}
HR_TIE_REASON = "hr-tie-reason"  # pattern, index = star key
HR_TIE_RESOLVE = "hr-tie-resolve"  # pattern, index = star key
HR_OVR_VALUE = "hr-ovr-value"  # pattern, index = agent id
HR_OVR_REASON = "hr-ovr-reason"  # pattern, index = agent id
HR_OVR_APPLY = "hr-ovr-apply"  # pattern, index = agent id
HR_OVR_CLEAR = "hr-ovr-clear"  # pattern, index = agent id
# incidents (/hr/incidents)
HR_INC_PRESET = "hr-inc-preset"
HR_INC_AGENT = "hr-inc-agent"
HR_INC_DATE = "hr-inc-date"
HR_INC_KIND = "hr-inc-kind"
HR_INC_CATEGORY = "hr-inc-category"
HR_INC_POINTS = "hr-inc-points"
HR_INC_NOTE = "hr-inc-note"
HR_INC_ADD = "hr-inc-add"
HR_INC_MESSAGE = "hr-inc-message"
HR_INC_SIGNAL = "hr-inc-signal"  # Store: bumped after a change (the ledger redraws)
HR_INC_MONTH = "hr-inc-month"
HR_INC_FILTER = "hr-inc-filter"
HR_INC_LIST = "hr-inc-list"
HR_INC_PICK = "hr-inc-pick"  # pattern: {"type": HR_INC_PICK, "index": entry id}
HR_INC_CORR_ID = "hr-inc-corr-id"
HR_INC_CORR_POINTS = "hr-inc-corr-points"
HR_INC_CORR_REASON = "hr-inc-corr-reason"
HR_INC_CORRECT = "hr-inc-correct"
# wall poster (/hr/poster/<month>)
HR_POSTER_MONTH = "hr-poster-month"  # Store: the month shown
HR_POSTER_ROOT = "hr-poster-root"
HR_POSTER_SIZE = "hr-poster-size"
HR_POSTER_PDF = "hr-poster-pdf"
HR_POSTER_PRINT = "hr-poster-print"
HR_POSTER_PRINTED = "hr-poster-printed"  # Store: written by the print button (client side)
