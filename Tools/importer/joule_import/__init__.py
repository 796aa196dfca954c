"""joule_import: bring models made elsewhere into the joule-model format (Models/README.md)."""
