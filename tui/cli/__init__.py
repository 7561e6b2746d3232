"""The command-line twin of the app: `python -m tui COMMAND ...` (also `prospects`).

Everything goes through store/, so the CLI and the TUI cannot disagree, and nothing
here imports Textual: tui/__main__.py starts the app when no COMMAND is given.

    errors             exit codes and CommandError
    output             what is printed: safe text, JSON, error lines
    options            the values of shared options: the store (--db, --catalog), --letter,
                       the announcement of a new database
    parser             the parser of every command, and run(): parse, dispatch, exit code
    prospect_commands  add, list, users, catalog
    view_commands      views list, save, rename, delete (saved views; list --view)
    verify_commands    verify DOMAIN, verify --all
    transfer_commands  template, import, export
    db_commands        db upgrade, db copy
"""
