"""The range of dates Accord accepts from users, in one place.

Python's dates end at 9999-12-31; code that adds a day ("before the start of the next day") or a
week (the calendar's next-week link), or converts a date-time to UTC, would overflow near that end
(and near year 1 going the other way). Every date or date-time a user sends — segment filter values,
API date-times, the week calendar — is kept within these bounds, which leave a year of margin.
"""

from __future__ import annotations

import datetime as dt

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(9998, 12, 31)
