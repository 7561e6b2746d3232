"""store/ never imports textual: the core must run without the UI."""

import subprocess
import sys


def test_store_never_imports_textual() -> None:
    code = (
        "import sys, pkgutil, importlib, store\n"
        "for m in pkgutil.walk_packages(store.__path__, 'store.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n == 'textual' or n.startswith('textual.'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_commands_start_without_textual_or_openpyxl() -> None:
    """The CLI's light commands import neither the UI nor openpyxl (start-up speed)."""
    code = (
        "import sys\n"
        "from tui.cli import run\n"
        "run(['catalog', '--json'])\n"
        "heavy = [n for n in ('textual', 'openpyxl', 'dns') if n in sys.modules]\n"
        "sys.stderr.write(repr(heavy))\n"
        "sys.exit(1 if heavy else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
