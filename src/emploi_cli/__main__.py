from emploi_cli.cli import run

run()
