"""Supervision's models, one module per area [SPEC §5, §6, §9]: random-inspection plans and draws,
inspections and rectification orders, sanctions, star ratings, complaints, evaluation batches."""

from .plans import *  # noqa: F401,F403
from .inspections import *  # noqa: F401,F403
from .sanctions import *  # noqa: F401,F403
from .ratings import *  # noqa: F401,F403
from .complaints import *  # noqa: F401,F403
from .batches import *  # noqa: F401,F403
from .batch_oversight import *  # noqa: F401,F403
