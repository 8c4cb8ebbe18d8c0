"""Monthly star awards and performance coefficients (docs/METRICS.md#awards-month): policy,
engine, workflow.

Where things are: ``schemas`` (typed inputs, outcomes, statuses and the month view), ``policy``
(the versioned rules), ``inputs`` and ``engine`` (the month's facts → stars and coefficients),
``service`` and ``decisions`` (the draft → reviewed → published workflow), ``month`` (what the
pages, exports and CLI share: the standard providers, month choices, views), ``report`` (a
revision as plain values and as text), ``poster`` and ``poster_pdf`` (the wall poster),
``exports`` (payroll CSV/XLSX and the poster PDF as bytes) and ``demo`` (demo data).
"""
