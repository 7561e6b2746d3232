"""store/ never imports the UI, proven at run time (what `lint-imports` cannot see: imports
made by name, e.g. importlib). The static contracts are in pyproject.toml [tool.importlinter]."""

import subprocess
import sys


def test_store_never_imports_textual_rich_or_tui() -> None:
    code = (
        "import sys, pkgutil, importlib, store\n"
        "for m in pkgutil.walk_packages(store.__path__, 'store.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'rich', 'tui'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_commands_start_without_textual_or_openpyxl() -> None:
    """The CLI's light commands import neither the UI nor openpyxl (start-up speed)."""
    code = (
        "import sys\n"
        "from tui.cli.parser import run\n"
        "run(['catalog', '--json'])\n"
        "heavy = [n for n in ('textual', 'openpyxl', 'dns') if n in sys.modules]\n"
        "sys.stderr.write(repr(heavy))\n"
        "sys.exit(1 if heavy else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
