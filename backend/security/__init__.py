"""Protection of patients' personal data: field encryption, blind indexes, masking, ID checks."""
