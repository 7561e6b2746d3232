"""Files in and out: CSV/XLSX reading, the import plan, export and the upload template."""
