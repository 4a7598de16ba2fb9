"""Activities use the rota's October township (a home, stations, deputies, holidays)."""
from tests.rota.conftest import october  # noqa: F401
