"""What people read: languages, tables, formats and documents. The only place rich is imported."""
