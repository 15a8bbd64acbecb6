"""Demo data for the embedded default: a small hospital group, its staff and demo patients."""
