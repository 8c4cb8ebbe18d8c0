"""Dash component ids of the QA console."""

from __future__ import annotations

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
