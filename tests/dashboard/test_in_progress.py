"""Periods still running in the official workbook: 进行中, never × (rule R8)."""
from tests.dashboard.conftest import read_workbook


def _cells(sheet):
    return [cell for row in sheet.iter_rows(values_only=True) for cell in row]


def test_as_of_mid_month_no_cell_of_the_running_period_reads_as_missed(client, login_as, targets):
    """Rule R8: as of 2024-01-15 only January and the first quarter have begun, and neither has ended:
    P3, P5 (区) and P6 (市) have not checked in yet. The 月进站 and 季回家 sheets show them 进行中, not ×;
    P1 and P2, who came in January, are √."""
    login_as("committee")
    response = client.get("/dashboard/export.xlsx?as_of=2024-01-15")
    assert response.status_code == 200
    workbook = read_workbook(response.data)
    months = _cells(workbook["月进站"])
    assert "×" not in months
    assert months.count("进行中") == 3 and months.count("√") == 3  # P1, P2 (区) and P2 (市)
    quarters = _cells(workbook["季回家"])
    assert "×" not in quarters and quarters.count("进行中") == 6  # nobody has been home yet
