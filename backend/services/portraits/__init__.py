"""AI health portraits (健康画像): built by rules from held data, reviewed by the family doctor,
shown to the resident only once approved (and only with the resident's consent)."""
