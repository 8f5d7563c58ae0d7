"""Text as people see it, shared by the window and the reports: safe Markdown and math to HTML,
scripts and the fonts that show them."""
