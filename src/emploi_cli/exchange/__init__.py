"""Exchange with other tools: importing partners' sheets, exporting to SQLite."""
