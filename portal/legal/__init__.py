"""Legal regimes (Pemilu, Pilkada) with their clocks, and the days that are not working days."""
