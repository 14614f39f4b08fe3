from emploi_cli.cli.app import run

run()
