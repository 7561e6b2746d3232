"""The Users screen's form: a user's name, e-mail and lead flag, and what is wrong with them."""

from __future__ import annotations

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Static

from store.models import User
from store.rules.fields import too_long
from tui.widgets.plain import PlainInput, plain, plain_line
from tui.widgets.refusal import point_at
from tui.widgets.tick_box import TickBox

FIELDS = {"name": ("Name", "#user-name"), "email": ("E-mail", "#user-email")}
SHOWN = 40  # characters of a name or e-mail shown in messages


def field_errors(error: ValidationError) -> list[tuple[str, str]]:
    """(field, message) pairs from a User validation error, in words a person reads."""
    found: list[tuple[str, str]] = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "name"
        if item["type"] == "string_too_short":
            message = "is required" if field == "name" else "is not an e-mail address (name@example.com)"
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
        found.append((field, message))
    return found


class UserForm(Vertical):
    """Adds a user, or edits one: the buttons shown follow the screen's `-editing` class."""

    def compose(self) -> ComposeResult:
        yield Static(id="user-form-title")
        with Horizontal(id="user-fields"):
            name = PlainInput(placeholder="Full name", id="user-name")
            name.border_title = "Name"
            yield name
            email = PlainInput(placeholder="name@example.com", id="user-email")
            email.border_title = "E-mail"
            yield email
        with Horizontal(id="user-actions"):
            yield TickBox("Implementation lead", id="user-lead")
            yield Button("Add User", id="add-user", variant="primary")
            yield Button("Save User", id="save-user", variant="primary")
            yield Button("Remove", id="remove-user", variant="error")
            yield Button("Cancel edit", id="new-user")
        yield Static(id="user-error")

    def fill(self, user: User | None) -> None:
        """Empty the form for a new user, or show `user` to edit."""
        title = "Add a user" if user is None else f"Editing {plain_line(user.name, SHOWN)}"
        self.query_one("#user-form-title", Static).update(plain(title))
        # Exact: the input shows a stored control as a symbol; saving it is refused by name.
        self.query_one("#user-name", Input).value = user.name if user else ""
        self.query_one("#user-email", Input).value = user.email if user else ""
        self.query_one("#user-lead", Checkbox).value = user.implementation_lead if user else False
        self.show_errors([])

    def show_errors(self, errors: list[tuple[str, str]]) -> None:
        """Mark each (field, message) and list them under the form; [] clears them."""
        for field, (_label, selector) in FIELDS.items():
            self.query_one(selector, Input).set_class(
                any(f == field for f, _ in errors), "-invalid"
            )
        lines = [f"{FIELDS.get(f, (f.title(), ''))[0]}: {m}" for f, m in errors]
        box = self.query_one("#user-error", Static)
        box.update(plain("\n".join(lines)))
        box.display = bool(lines)
        named = [FIELDS[field][1] for field, _ in errors if field in FIELDS]
        if named:
            point_at(self.query_one(named[0]), box)
        elif lines:
            box.scroll_visible(animate=False)

    def user(self, editing: User | None, users: list[User]) -> User | None:
        """The user the form describes (`editing` changed), or None after showing what is wrong.

        `users` are those shown: an e-mail one of them has is refused here, before saving.
        """
        name = self.query_one("#user-name", Input).value
        email = self.query_one("#user-email", Input).value
        lead = self.query_one("#user-lead", Checkbox).value
        try:
            user = User(
                id=editing.id if editing else None,
                name=name,
                email=email,
                implementation_lead=lead,
            )
        except ValidationError as error:
            self.show_errors(field_errors(error))
            return None
        problem = too_long(user.name)
        if problem is not None:
            self.show_errors([("name", problem)])
            return None
        folded = user.email.casefold()
        taken = next(
            (u for u in users if u.email.casefold() == folded and u.id != user.id), None
        )
        if taken is not None:
            self.show_errors(
                [("email", f"'{plain_line(user.email, SHOWN)}' already belongs to "
                           f"'{plain_line(taken.name, SHOWN)}'")]
            )
            return None
        return user

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.input.remove_class("-invalid")

    @on(Input.Submitted, "#user-name")
    def _name_entered(self) -> None:
        self.query_one("#user-email", Input).focus()
