"""Every string a widget shows goes through tui.widgets.plain or is a plain literal.

Walks tui/ with `ast` and fails, naming the file and line, when a Static, Label,
Button, Checkbox, Option, Select prompt, DataTable cell, `.update(...)`, a title,
tooltip or `notify` gets a str built from data (an f-string, a variable, a
concatenation, a bare Content(...) or Text(...)) instead of a helper call, and when
an editable field is a bare Input rather than PlainInput.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

TUI = Path(__file__).resolve().parent.parent / "tui"
HELPER_MODULE = TUI / "widgets" / "plain.py"
HELPERS = {"plain", "plain_cell", "plain_line", "plain_parts", "plain_later"}
# Widgets whose first argument (or these keywords) is shown as text, maybe as markup.
LABELLED = {"Static", "Label", "Button", "Checkbox", "TickBox", "RadioButton", "Option",
            "Selection", "Markdown", "Pretty", "Link"}
LABEL_KEYWORDS = {"content", "label", "prompt", "renderable", "text", "tooltip"}
SHOWN_ATTRIBUTES = {"title", "sub_title", "border_title", "border_subtitle", "tooltip", "label",
                    "prompt"}
ROW_METHODS = {"add_row", "add_column", "add_columns", "update_cell", "update_cell_at"}
# Built directly, these keep controls; with data in them they must come from a helper.
RENDERABLES = {"Content", "Text"}
MARKUP_PARSERS = {"from_markup", "from_ansi", "from_rich_text"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


class _Checker(ast.NodeVisitor):
    def __init__(self, path: Path, tree: ast.Module) -> None:
        self.path = path
        self.problems: list[str] = []
        # Module constants bound to a literal string are literals too.
        self.literals = {
            target.id for stmt in tree.body if isinstance(stmt, ast.Assign)
            for target in stmt.targets
            if isinstance(target, ast.Name) and self.safe(stmt.value, literal_only=True)
        }

    def problem(self, node: ast.AST, what: str) -> None:
        rel = self.path.relative_to(TUI.parent)
        self.problems.append(f"{rel}:{getattr(node, 'lineno', '?')}: {what}: "
                             f"{ast.unparse(node)[:100]}")

    def safe(self, node: ast.expr | None, literal_only: bool = False) -> bool:
        """A literal, a helper call, or made only of those."""
        if node is None:
            return True
        if isinstance(node, ast.Constant):
            return node.value is None or isinstance(node.value, (str, int, float, bool))
        if isinstance(node, ast.JoinedStr):
            return all(self.safe(v.value) if isinstance(v, ast.FormattedValue) else True
                       for v in node.values)
        if isinstance(node, ast.IfExp):
            return self.safe(node.body, literal_only) and self.safe(node.orelse, literal_only)
        if isinstance(node, ast.Name) and not literal_only:
            return node.id in self.literals
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.safe(node.left, literal_only) and self.safe(node.right, literal_only)
        if isinstance(node, ast.Call) and not literal_only:
            callee = _name(node.func)
            if callee in HELPERS:
                return True
            if callee in RENDERABLES or (callee == "assemble" and _name(node.func.value) == "Content"
                                         if isinstance(node.func, ast.Attribute) else False):
                return all(self.safe(arg) for arg in node.args)
        if isinstance(node, ast.Tuple) and node.elts:  # (text, style) in Content.assemble
            return self.safe(node.elts[0])
        return False

    def check(self, node: ast.expr | None, where: ast.AST, what: str) -> None:
        if not self.safe(node):
            self.problem(where, what)

    def visit_Call(self, node: ast.Call) -> None:
        callee = _name(node.func)
        if callee in LABELLED:
            self.check(node.args[0] if node.args else None, node, f"{callee} label")
        if callee in LABELLED or callee in {"Select", "SelectionList"}:
            for kw in node.keywords:
                if kw.arg in LABEL_KEYWORDS:
                    self.check(kw.value, node, f"{callee} {kw.arg}=")
        if callee == "update" and isinstance(node.func, ast.Attribute) and len(node.args) == 1:
            self.check(node.args[0], node, ".update(...) of a widget")
        if callee == "notify":
            self.check(node.args[0] if node.args else None, node, "notify message")
            markup = next((kw.value for kw in node.keywords if kw.arg == "markup"), None)
            if not (isinstance(markup, ast.Constant) and markup.value is False):
                self.problem(node, "notify without markup=False")
        if callee in ROW_METHODS:
            for arg in node.args:
                if not isinstance(arg, ast.Starred):
                    self.check(arg, node, f"{callee} cell")
        if callee in RENDERABLES:
            for arg in node.args:
                self.check(arg, node, f"bare {callee}(...) of data: use plain() / plain_cell()")
        if callee in MARKUP_PARSERS:
            self.problem(node, f"{callee}: data is never markup")
        if callee == "Input":
            self.problem(node, "a bare Input draws controls raw: use PlainInput")
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr in SHOWN_ATTRIBUTES:
                self.check(node.value, node, f".{target.attr} =")
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if any(_name(base) == "Input" for base in node.bases):
            self.problem(node, "an Input subclass draws controls raw: subclass PlainInput")
        self.generic_visit(node)


def _sources() -> Iterator[Path]:
    for path in sorted(TUI.rglob("*.py")):
        if path != HELPER_MODULE:
            yield path


def problems_in(source: str, path: Path) -> list[str]:
    tree = ast.parse(source, str(path))
    checker = _Checker(path, tree)
    checker.visit(tree)
    return checker.problems


def test_no_widget_gets_a_str_built_from_data() -> None:
    problems = [p for path in _sources() for p in problems_in(path.read_text("utf-8"), path)]
    assert problems == [], "\n".join(problems)


def test_the_walker_catches_each_way_in() -> None:
    """The checker itself: each bad line is caught, each good one passes."""
    bad = [
        'Static(f"Hello {name}")', "Label(name)", 'Button("Go " + name)',
        "TickBox(f\"Only ({', '.join(parts)})\")", "self.notify(message, markup=False)",
        'self.notify("Saved.")', "box.update(Content(message))", "Text(user.name)",
        'self.sub_title = str(store.path)', 'widget.tooltip = f"{x}"',
        "Select(options, prompt=name)", "table.add_row(str(row), name)",
        "Input(value)", "Content.from_markup(text)", "Option(Content(f'{u.name}'))",
    ]
    good = [
        'Static("Export prospects")', "Label(plain(name))", 'Button("Go")',
        'TickBox(plain(f"Only ({x})"))', "self.notify(plain_line(message), markup=False)",
        "box.update(plain(message))", 'self.notify(f"Saved {plain_line(name, 80)}.", markup=False)',
        'Text("Mo Tu", style="bold")', "self.sub_title = plain_line(path)",
        'self.sub_title = "Edit" if base else "New"', "table.add_row(plain_cell(row), '1')",
        "PlainInput(value)", 'Content.assemble(("Company", "bold"), plain(name))',
    ]
    for line in bad:
        assert problems_in(line, TUI / "x.py"), f"not caught: {line}"
    for line in good:
        assert problems_in(line, TUI / "x.py") == [], f"flagged: {line}"
    assert problems_in("class DateInput(Input):\n    pass", TUI / "x.py")
