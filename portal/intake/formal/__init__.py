"""The formal laporan path: what a resident who wants a report registered adds to it."""
