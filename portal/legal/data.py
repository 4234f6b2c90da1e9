"""The regimes the portal starts with; `flask reference load` adds them by code.

Every figure is cited in README ("Legal windows") with where it was read. A clock the law text
we could check does not set is left empty (None) for an admin to fill in.
"""

from typing import Any

REGIMES: list[dict[str, Any]] = [
    {
        "code": "pemilu",
        "name_id": "Pemilu (UU 7/2017)",
        "name_en": "General election (Law 7/2017)",
        "window_days": 7,  # Pasal 454 ayat (6): 7 hari kerja sejak diketahui
        "window_working_days": True,
        "completion_days": None,  # Perbawaslu 7/2022: not verified
        "completion_working_days": True,
        "decision_days": 7,  # Pasal 454 ayat (7): 7 hari setelah diterima dan diregistrasi
        "decision_working_days": False,
        "extended_decision_days": 14,  # Pasal 454 ayat (8): 14 hari kerja
        "extended_decision_working_days": True,
        "basis": "UU 7/2017 Pasal 454 ayat (6), (7), (8)",
    },
    {
        "code": "pilkada",
        "name_id": "Pilkada (UU 1/2015)",
        "name_en": "Regional head election (Law 1/2015)",
        "window_days": 7,  # Pasal 134 ayat (4): 7 hari sejak diketahui dan/atau ditemukan
        "window_working_days": False,
        "completion_days": None,  # Perbawaslu on Pilkada violations: not verified
        "completion_working_days": False,
        "decision_days": 3,  # Pasal 134 ayat (5): 3 hari setelah laporan diterima
        "decision_working_days": False,
        "extended_decision_days": 5,  # ayat (6): keterangan tambahan, paling lama 2 hari
        "extended_decision_working_days": False,
        "basis": "UU 1/2015 (Perpu 1/2014) Pasal 134 ayat (4), (5), (6)",
    },
]
