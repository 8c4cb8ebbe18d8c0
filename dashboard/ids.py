"""Every Dash component id, in one place (pages, callbacks and tests import them from here)."""

from __future__ import annotations

# -- board page ---------------------------------------------------------------------------
BOARD_ROOT = "board-root"
BOARD_NAME = "board-name"  # Store: the board's name (the guard's board scope)
BOARD_CONFIG = "board-config"  # Store: version, stale limit, texts for the client
BOARD_STATUS = "board-status"  # Store: freshness of the last refresh (its board, its read)
BOARD_SCREEN = "board-screen"  # Store: the screen's size (chart fonts)
BOARD_REFRESH = "board-refresh"  # Interval: server refresh
BOARD_TICK = "board-tick"  # Interval: client clock and watchdog
BOARD_BANNER = "board-banner"
BOARD_STAMP = "board-stamp"
BOARD_ALERT = "board-alert"  # Store: the worst level (alert sound)
BOARD_ROTATE = "board-rotate"  # Interval: kiosk rotation
BOARD_GO = "board-go"  # Location: kiosk rotation swaps the board without a reload
BOARD_PRELOAD = "board-preload"  # hidden Graph: the chart library loads before a chart board
BOARD_TICKER_REFRESH = "board-ticker-refresh"
BOARD_TICKER_SIG = "board-ticker-sig"  # Store: the ticker's signature and the refresh answered
BOARD_CHART_SIG = "board-chart-sig"

# pattern-matching ids of tiles: {"type": TILE, "board": name, "index": n}. The board is part of
# the id so that a refresh of the board shown before a switch, answered after it, lands nowhere.
TILE = "tile"
TILE_GRAPH = "tile-graph"
TILE_TICKER = "tile-ticker"
TILE_CLOCK = "tile-clock"

# -- supervisor live view -----------------------------------------------------------------
LIVE_REFRESH = "live-refresh"
LIVE_QUEUES = "live-queues-filter"
LIVE_QUEUE_TABLE = "live-queue-table"
LIVE_AGENT_TABLE = "live-agent-table"
LIVE_STATUS = "live-status"
LIVE_TEAMS = "live-teams-filter"  # team filter of the agent table (teams from qa.people)

# -- announcements ------------------------------------------------------------------------
ANN_TEXT = "ann-text"
ANN_BOARDS = "ann-boards"
ANN_LEVEL = "ann-level"
ANN_STARTS = "ann-starts"
ANN_ENDS = "ann-ends"
ANN_POST = "ann-post"
ANN_MESSAGE = "ann-message"
ANN_LIST = "ann-list"
ANN_CANCEL = "ann-cancel"  # pattern: {"type": ANN_CANCEL, "index": id}

# -- displays (admin) -----------------------------------------------------------------------
DISP_NAME = "disp-name"
DISP_BOARDS = "disp-boards"
DISP_CREATE = "disp-create"
DISP_MESSAGE = "disp-message"
DISP_LIST = "disp-list"
DISP_REVOKE = "disp-revoke"  # pattern: {"type": DISP_REVOKE, "index": name}

# -- QA console (issue 4) -------------------------------------------------------------------
# work queue (/qa)
QA_Q_MINE = "qa-q-mine"
QA_Q_TEAM = "qa-q-team"
QA_Q_START = "qa-q-start"  # pattern: {"type": QA_Q_START, "index": assignment id}
QA_Q_GO = "qa-q-go"  # Location: opens the evaluation started
QA_Q_MSG = "qa-q-msg"
QA_S_NAME = "qa-s-name"
QA_S_PER_AGENT = "qa-s-per-agent"
QA_S_MIN_TALK = "qa-s-min-talk"
QA_S_QUEUES = "qa-s-queues"
QA_S_OUTCOMES = "qa-s-outcomes"
QA_S_PERIOD = "qa-s-period"
QA_S_DATES = "qa-s-dates"
QA_S_EVALUATORS = "qa-s-evaluators"
QA_S_SCORECARD = "qa-s-scorecard"
QA_S_SEED = "qa-s-seed"
QA_S_PREVIEW = "qa-s-preview"
QA_S_RUN = "qa-s-run"
QA_S_RESULT = "qa-s-result"
QA_S_DONE = "qa-s-done"  # Store: bumped after a run (the tables refresh)
QA_P_AGENT = "qa-p-agent"
QA_P_QUEUE = "qa-p-queue"
QA_P_DATE = "qa-p-date"
QA_P_OUTCOME = "qa-p-outcome"
QA_P_SEARCH = "qa-p-search"
QA_P_EVALUATOR = "qa-p-evaluator"
QA_P_RESULTS = "qa-p-results"
QA_P_ASSIGN = "qa-p-assign"  # pattern: {"type": QA_P_ASSIGN, "index": call pk}
QA_P_MSG = "qa-p-msg"
QA_P_DONE = "qa-p-done"  # Store: bumped after an assignment
# evaluation page (/qa/evaluation/<id>)
QA_E_ID = "qa-e-id"  # Store: the evaluation id (every callback checks access again)
QA_E_GO = "qa-e-go"  # Location: reload after submission
QA_E_GO_AGENT = "qa-e-go-agent"  # Location: reload after a dispute
QA_E_SCORE = "qa-e-score"
QA_E_ITEM = "qa-e-item"  # pattern: item card (className), index = item ref
QA_E_ITEM_STATE = "qa-e-item-state"  # pattern: live item status, index = item ref
QA_E_ANSWER = "qa-e-answer"  # pattern: answer radio, index = item ref
QA_E_ITEM_NOTE = "qa-e-item-note"  # pattern: item comment, index = item ref
QA_E_SAVE = "qa-e-save"
QA_E_SUBMIT = "qa-e-submit"
QA_E_MSG = "qa-e-msg"
QA_E_AUTOSAVE = "qa-e-autosave"  # the "Saved hh:mm:ss" indicator (assets/qa_autosave.js)
QA_E_SAVED = "qa-e-saved"  # Store: {text} after Save draft (tells the autosave script)
QA_E_AUDIO = "qa-e-audio"
QA_E_COMMENTS = "qa-e-comments"
QA_E_NOTE_TEXT = "qa-e-note-text"
QA_E_NOTE_ITEM = "qa-e-note-item"
QA_E_NOTE_PIN = "qa-e-note-pin"
QA_E_NOTE_AT = "qa-e-note-at"  # Store: {n, t} written by the player (client side)
QA_E_NOTE_DEL = "qa-e-note-del"  # pattern: {"type": QA_E_NOTE_DEL, "index": comment id}
QA_E_NOTE_MSG = "qa-e-note-msg"
QA_E_ACK = "qa-e-ack"
QA_E_AGENT_MSG = "qa-e-agent-msg"
QA_E_DISPUTE = "qa-e-dispute"  # pattern: raise button, index = item ref
QA_E_DISPUTE_REASON = "qa-e-dispute-reason"  # pattern: reason, index = item ref
# disputes (/qa/disputes)
QA_D_LIST = "qa-d-list"
QA_D_MSG = "qa-d-msg"
QA_D_DECISION = "qa-d-decision"  # pattern, index = dispute id
QA_D_VALUE = "qa-d-value"  # pattern, index = dispute id
QA_D_NOTE = "qa-d-note"  # pattern, index = dispute id
QA_D_DECIDE = "qa-d-decide"  # pattern, index = dispute id
# a decision is final: Decide asks, Confirm does it (issue 11.17)
QA_D_HINT = "qa-d-hint"  # pattern, index = dispute id: why Decide cannot go on
QA_D_ASK = "qa-d-ask"  # pattern, index = dispute id: the confirmation box
QA_D_ASK_TEXT = "qa-d-ask-text"  # pattern, index = dispute id: what will happen
QA_D_PENDING = "qa-d-pending"  # pattern, index = dispute id: the decision being confirmed
QA_D_CONFIRM = "qa-d-confirm"  # pattern, index = dispute id
QA_D_CANCEL = "qa-d-cancel"  # pattern, index = dispute id
# calibration (/qa/calibration)
QA_C_TITLE = "qa-c-title"
QA_C_CALL = "qa-c-call"
QA_C_EVALUATORS = "qa-c-evaluators"
QA_C_EXPERT = "qa-c-expert"
QA_C_SCORECARD = "qa-c-scorecard"
QA_C_CREATE = "qa-c-create"
QA_C_MSG = "qa-c-msg"
QA_C_LIST = "qa-c-list"
QA_C_DONE = "qa-c-done"  # Store: bumped after a change (the list refreshes)
QA_C_START = "qa-c-start"  # pattern, index = session id
QA_C_CLOSE = "qa-c-close"  # pattern, index = session id
QA_C_GO = "qa-c-go"  # Location: opens the calibration evaluation
# scorecards (/qa/scorecards, /qa/scorecards/edit)
QA_SC_UPLOAD = "qa-sc-upload"
QA_SC_MSG = "qa-sc-msg"
QA_SC_LIST = "qa-sc-list"
QA_SC_DEFAULT = "qa-sc-default"
QA_SC_ARCHIVE = "qa-sc-archive"  # pattern, index = scorecard key
QA_B_SPEC = "qa-b-spec"  # Store: the definition being edited (file layout)
QA_B_FORM = "qa-b-form"
QA_B_FIELD = "qa-b-field"  # pattern, index = field path ("card.name", "s.0.i.2.points")
QA_B_ACTION = "qa-b-action"  # pattern, index = "add_item:0", "del_section:1"...
QA_B_SAVE = "qa-b-save"
QA_B_MSG = "qa-b-msg"
# reports (/qa/reports)
QA_R_DATES = "qa-r-dates"
QA_R_GROUP = "qa-r-group"
QA_R_PERIOD = "qa-r-period"
QA_R_BODY = "qa-r-body"
QA_R_CSV = "qa-r-csv"
QA_R_XLSX = "qa-r-xlsx"

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
