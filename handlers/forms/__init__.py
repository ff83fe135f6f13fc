"""Reading submitted modals: every field parsed into a typed value at the edge (pydantic).

``parse_form(Model, view)`` turns a view_submission's ``view`` into a typed form, or raises
``IntakeInvalid`` (inline field errors) or ``BadPayload`` (a form that cannot be read).
"""

from handlers.forms.fields import FIELD_BLOCKS
from handlers.forms.reading import Form, parse_form

__all__ = ["FIELD_BLOCKS", "Form", "parse_form"]
