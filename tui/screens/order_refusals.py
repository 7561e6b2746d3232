"""What stops an order being submitted, in the words the order review shows."""

from __future__ import annotations

from dataclasses import dataclass

from store.models import Order
from store.rules.store import submit_refusal
from store.text import unsafe_character

MSA = "The order is covered by the existing MSA"
AUTHORISED = "I am authorised to place this order"
NOT_REQUIRED = "Order number not required"
# Each confirmation's tick box, the order field it sets, and its label.
CONFIRMATIONS = {"#confirm-msa": ("covered_by_msa", MSA),
                 "#confirm-authorised": ("authorised", AUTHORISED)}


def number_refusal(order: Order) -> str:
    """The error for an order number holding a control character; '' when it holds none."""
    problem = None if order.order_number_not_required else unsafe_character(order.order_number)
    return f"Order number: {problem}" if problem else ""


@dataclass(frozen=True)
class Refusals:
    """Each reason, by the field it is shown under; all empty when the order may go."""

    products: str
    number: str
    unticked: list[str]  # the tick boxes of the confirmations not given, top to bottom

    @property
    def confirmations(self) -> str:
        """One line for each confirmation not given."""
        return "\n".join(f"Confirmation required: tick '{CONFIRMATIONS[s][1]}'" for s in self.unticked)


def refusals(order: Order) -> Refusals:
    """Why `order`, as the form describes it, cannot be submitted yet."""
    number_error = "" if order.order_number or order.order_number_not_required else (
        f"Order number: enter the order number, or tick '{NOT_REQUIRED}'")
    unticked = [box for box, (field, _) in CONFIRMATIONS.items() if not getattr(order, field)]
    return Refusals(submit_refusal(order) or "", number_refusal(order) or number_error, unticked)
