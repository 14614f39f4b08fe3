"""The command line: the only place typer is imported. Thin: parse, call, render, exit."""
