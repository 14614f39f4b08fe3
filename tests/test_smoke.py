import json


def test_summary_json_seed_figures(emploi, ledger):
    result = emploi("summary", "-l", str(ledger), "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["total"] == 406.80
    assert '"total": 406.80,' in result.stdout
