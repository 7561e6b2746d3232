"""Saved views of the list: what makes one valid, who sees it, and the Store's methods for them.

A view is personal (its owner alone sees it) or shared with the team. Names are
compared as the search compares text (store.text.name_key: blind to case, accents
and spacing), within a scope: the shared views, or one owner's personal ones. A
personal view wins over a shared view of the same name. Views are few, so the
rules read the whole table.
"""

from __future__ import annotations

from store.backends.base import VIEWS, Record, Repository, Session
from store.errors import DuplicateError, FilterError, NotFoundError, ViewError
from store.listing.filter import MAX_LENGTH, parse_filter
from store.listing.keys import COLUMNS, SORT_FIELDS, chosen_letter
from store.models import View, now
from store.rules.who import who
from store.text import name_key, quoted, unsafe_character

MAX_NAME = 80
_NAMES_SHOWN = 20  # in a "no such view" message


def checked_view(view: View) -> View:
    """The view with its values cleaned (name stripped, letter in lower case), or a
    ViewError or FilterError naming the field and the fix. The one check for every edge."""
    name = checked_name(view.name)
    letter = chosen_letter(view.letter)
    if letter is None:
        raise ViewError(f"Letter: {quoted(view.letter, 20)} is not a letter; use A-Z, 'other' or 'all'")
    if view.sort not in SORT_FIELDS:
        raise ViewError(f"Sort: {quoted(view.sort, 40)} is not a column to sort by; use one of: "
                        f"{', '.join(SORT_FIELDS)}")
    for at, column in enumerate(view.columns):
        if column not in COLUMNS:
            raise ViewError(f"Columns: {quoted(column, 40)} is not a column; the columns are: "
                            f"{', '.join(COLUMNS)}")
        if column in view.columns[:at]:
            raise ViewError(f"Columns: {quoted(column, 40)} is named twice; name each column once")
    return view.model_copy(update={"name": name, "filter": _checked_filter(view.filter),
                                   "letter": letter})


def checked_name(typed: str) -> str:
    """A view's name, stripped; ViewError when it is empty, too long or holds a control character."""
    name = typed.strip()
    if not name:
        raise ViewError("Name: a view needs a name, e.g. 'Finance leads'")
    problem = unsafe_character(name)
    if problem is not None:
        raise ViewError(f"Name: {problem}")
    if len(name) > MAX_NAME:
        raise ViewError(f"Name: is {len(name):,} characters long; a view's name may have at most "
                        f"{MAX_NAME}: shorten it")
    return name


def _checked_filter(text: str) -> str:
    """The filter, stripped, if the grammar reads it (a saved view never holds a broken one)."""
    if len(text) > MAX_LENGTH:
        raise FilterError(f"Filter: is {len(text):,} characters long; a filter may have at most "
                          f"{MAX_LENGTH:,}: shorten it")
    problem = unsafe_character(text)  # the grammar lets a plain search through: a view may not
    if problem is not None:
        raise FilterError(f"Filter: {problem}")
    try:
        parse_filter(text)
    except FilterError as error:
        raise FilterError(f"Filter: {error}") from None
    return text.strip()


def _stored(session: Session) -> list[View]:
    return [View.model_validate({**record, "id": view_id}) for view_id, record in session.scan(VIEWS)]


def _record(view: View) -> Record:
    return view.model_dump(mode="json", exclude={"id"})


def _order(view: View) -> tuple[str, bool, str, int]:
    # By name as people read it; a personal view before a shared one of the same name.
    return name_key(view.name), view.shared, view.name, view.id or 0


def _visible(views: list[View], me: str) -> list[View]:
    return sorted((v for v in views if v.shared or v.owner == me), key=_order)


def _named(views: list[View], name: str, me: str, shared: bool | None = None) -> View:
    """The view `me` sees under `name` (their own first, or of the scope `shared` names), or
    NotFoundError listing the names."""
    visible = _visible(views, me)
    wanted = name_key(name)
    found = next((v for v in visible if name_key(v.name) == wanted
                  and shared in (None, v.shared)), None)
    if found is not None:
        return found
    if not visible:
        raise NotFoundError(f"there is no view named {quoted(name)}: no views are saved yet; save the "
                            "list's filter as one first (`prospects views save NAME --filter ...`)")
    names = list(dict.fromkeys(quoted(v.name) for v in visible))
    more = f" and {len(names) - _NAMES_SHOWN} more" if len(names) > _NAMES_SHOWN else ""
    raise NotFoundError(f"there is no view named {quoted(name)}; the views are: "
                        f"{', '.join(names[:_NAMES_SHOWN])}{more}")


def _taken(views: list[View], name: str, shared: bool, owner: str, exclude: int | None) -> View | None:
    """The view of that scope (shared, or `owner`'s personal ones) already named `name`."""
    wanted = name_key(name)
    return next((v for v in views if v.id != exclude and v.shared == shared
                 and (shared or v.owner == owner) and name_key(v.name) == wanted), None)


def _refuse_taken(taken: View, shared: bool) -> None:
    scope = "shared view" if shared else "personal view of yours"
    raise DuplicateError(f"Name: there is a {scope} named {quoted(taken.name)} already (names are "
                         "compared ignoring case and accents): choose another name, or replace it")


class ViewRules:
    """The Store's saved views; mixed into store.rules.store.Store, which opens `_repo`."""

    _repo: Repository

    def views(self) -> list[View]:
        """The shared views and the current user's personal ones, by name."""
        with self._repo.reading() as session:
            return _visible(_stored(session), who())

    def view(self, name: str) -> View:
        """The view named `name` (case- and accent-blind; the user's own before a shared one),
        or NotFoundError listing the views there are."""
        with self._repo.reading() as session:
            return _named(_stored(session), name, who())

    def save_view(self, view: View, *, replace: bool = False) -> View:
        """Save a view (checked_view's rules) for the current user, or for the team when shared.

        A name already used in the same scope is refused (DuplicateError) unless `replace`,
        which replaces that view, keeping its id and owner. Returns the view as stored.
        """
        checked, me = checked_view(view), who()
        with self._repo.writing() as session:
            taken = _taken(_stored(session), checked.name, checked.shared, me, None)
            if taken is not None and not replace:
                _refuse_taken(taken, checked.shared)
            if taken is None:
                saved = checked.model_copy(update={"owner": me, "updated_at": now(), "version": 1})
                return saved.model_copy(update={"id": session.insert(VIEWS, _record(saved))})
            assert taken.id is not None
            saved = checked.model_copy(update={"id": taken.id, "owner": taken.owner,
                                               "updated_at": now(), "version": taken.version + 1})
            session.update(VIEWS, taken.id, _record(saved))
            return saved

    def rename_view(self, name: str, new_name: str, *, shared: bool | None = None) -> View:
        """Rename the view the current user sees as `name` (the shared one or their own when
        `shared` says which); a name taken in its scope is refused."""
        me = who()
        with self._repo.writing() as session:
            views = _stored(session)
            found = _named(views, name, me, shared)
            assert found.id is not None
            new = checked_name(new_name)
            taken = _taken(views, new, found.shared, found.owner, found.id)
            if taken is not None:
                _refuse_taken(taken, found.shared)
            saved = found.model_copy(update={"name": new, "updated_at": now(),
                                             "version": found.version + 1})
            record = _record(saved)
            session.update(VIEWS, found.id, {key: record[key] for key in ("name", "updated_at", "version")})
            return saved

    def delete_view(self, name: str, *, shared: bool | None = None) -> None:
        """Delete the view the current user sees as `name` (the shared one or their own when
        `shared` says which; anyone may delete a shared one)."""
        with self._repo.writing() as session:
            found = _named(_stored(session), name, who(), shared)
            assert found.id is not None
            session.delete(VIEWS, [found.id])
